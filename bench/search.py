"""Search latency at scale: p50 / p95 / max of `search_for` for common and rare words,
phrases, filters and both orders, as an agent who cannot see a restricted team.

    .venv/bin/python bench/search.py [--conversations 1000000] [--repeat 20]

Uses its own database: SQLite in $GOODWILL_DATA_DIR (default /tmp/goodwill-bench-search),
or PostgreSQL when GOODWILL_DATABASE_URL is set. An empty database is filled once with the
demo data set (`goodwill seed-demo`'s generator, which rebuilds the search index) and
reused by later runs.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GOODWILL_DATA_DIR", "/tmp/goodwill-bench-search")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from goodwill.accounts.models import Agent, Team  # noqa: E402
from goodwill.conversations.models import Conversation, Message  # noqa: E402
from goodwill.customers.models import Customer  # noqa: E402
from goodwill.search.selectors import search_for  # noqa: E402


def load(conversations: int) -> None:
    from goodwill.demo.generator import seed_demo

    t0 = time.perf_counter()
    report = seed_demo(
        conversations=conversations,
        seed=1,
        anchor=datetime(2026, 1, 1, tzinfo=UTC),
        batch_size=5000,
        progress=lambda text: print(text, flush=True),
    )
    print(f"  seeded {report.messages:,} messages in {time.perf_counter() - t0:.0f} s", flush=True)


def pick_words() -> tuple[str, str, str, str]:
    """A very common word, a rare one, a three-word phrase and a customer's name, from the data."""
    texts = list(Message.objects.order_by("-id").values_list("new_text", flat=True)[:3000])
    counts = Counter(word for text in texts for word in re.findall(r"[a-z]{3,}", text.lower()))
    common = counts.most_common(1)[0][0]
    fewest = min(counts.values())
    singles = sorted(word for word, count in counts.items() if count == fewest)
    rare = singles[len(singles) // 2]
    words = texts[0].split()
    phrase = " ".join(words[1:4]) if len(words) > 4 else words[0]
    name = (Customer.objects.order_by("id").values_list("name", flat=True).first() or "customer").split()[0]
    return common, rare, phrase, name


def measure(label: str, run, repeat: int) -> tuple[str, float, float, float]:
    run()  # warm-up
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return label, statistics.median(samples), p95, samples[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    have = Conversation.objects.count()
    print(f"search bench on {connection.vendor}: want {args.conversations:,} conversations, have {have:,}")
    if have == 0:
        load(args.conversations)
    print(f"  {Conversation.objects.count():,} conversations, {Message.objects.count():,} messages")

    agent = Agent.objects.filter(role="agent", is_active=True).order_by("id").first()
    hidden = Team.objects.filter(is_restricted=True).exclude(members=agent).count()
    common, rare, phrase, name = pick_words()
    print(f"  as {agent.email} ({hidden} restricted team(s) hidden); common {common!r}, rare {rare!r}, "
          f"phrase {phrase!r}, name {name!r}")
    newest = Message.objects.order_by("-id").values_list("created_at", flat=True).first()
    day = newest - timedelta(days=30)
    cases = [
        ("everything, common word", lambda: search_for(agent, common)),
        ("everything, rare word", lambda: search_for(agent, rare)),
        ("messages, common word, relevance", lambda: search_for(agent, common, kind="messages")),
        ("messages, common word, date", lambda: search_for(agent, common, kind="messages", order="date")),
        ("messages, rare word, relevance", lambda: search_for(agent, rare, kind="messages")),
        ("messages, rare word, date", lambda: search_for(agent, rare, kind="messages", order="date")),
        ("messages, phrase", lambda: search_for(agent, f'"{phrase}"', kind="messages")),
        ("messages, common word, solved, last 30 days", lambda: search_for(
            agent, common, kind="messages", statuses=["solved"], since=day)),
        ("conversations, common word", lambda: search_for(agent, common, kind="conversations")),
        ("customers, name", lambda: search_for(agent, name, kind="customers")),
        ("messages, no match", lambda: search_for(agent, "zzzqqqxxx", kind="messages")),
    ]
    print(f"{'case':46} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for label, run in cases:
        name, p50, p95, top = measure(label, run, args.repeat)
        worst = max(worst, p95)
        print(f"{name:46} {p50:8.1f} {p95:8.1f} {top:8.1f}")
    print(f"worst p95: {worst:.1f} ms (target ≤ 100 ms at 1,000,000 conversations)")


if __name__ == "__main__":
    main()
