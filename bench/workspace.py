"""Agent workspace at scale: inbox views and the conversation page at N conversations.

    .venv/bin/python bench/workspace.py [--conversations 1000000] [--requests 40]

Builds (once, then reuses) a data set in its own data dir with bulk inserts, then times
real requests through Django's test client, signed in as an agent of a team, and prints
p50 / p95 in milliseconds and the number of SQL queries per request. View counts are
cached for 30 s in the app; "cold" rows are requests that had to compute them.
Set GOODWILL_DATABASE_URL to measure on PostgreSQL.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--data-dir", default=os.environ.get("GOODWILL_BENCH_DIR", "/tmp/goodwill-bench-workspace")
    )
    return parser.parse_args()


ARGS = parse()
os.environ.setdefault("GOODWILL_DATA_DIR", ARGS.data_dir)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
os.environ.setdefault("GOODWILL_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from goodwill.accounts.models import Agent, Team  # noqa: E402
from goodwill.accounts.services import add_to_team, create_or_update_agent  # noqa: E402
from goodwill.conversations.models import Conversation, Message, Tag  # noqa: E402
from goodwill.conversations.selectors import BUILT_IN_VIEWS  # noqa: E402
from goodwill.core.services import raise_counter_to  # noqa: E402
from goodwill.customers.models import Customer  # noqa: E402

BATCH = 5000
NEXT_LINK = re.compile(r'<a href="([^"]+)" rel="next">')
OPEN = ["new", "open", "pending", "on_hold"]


def build(total: int) -> None:
    have = Conversation.objects.count()
    if have >= total:
        print(f"reusing {have:,} conversations in {settings.DATABASES['default']['NAME']}")
        return
    started = time.perf_counter()
    rng = random.Random(7)
    teams = [
        Team.objects.get_or_create(name=f"Team {i}", slug=f"team-{i}", defaults={"is_restricted": i == 4})[0]
        for i in range(5)
    ]
    agents = []
    for i in range(50):
        agent = create_or_update_agent(f"bench{i}@example.com", name=f"Bench Agent {i}", role="agent")[0]
        add_to_team(agent, teams[i % 4])
        agents.append(agent)
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("vip", "refund", "bug", "outage", "billing")]
    customers_needed = max(1, total // 10)
    existing_customers = Customer.objects.count()
    now = timezone.now()
    with transaction.atomic():
        Customer.objects.bulk_create(
            [Customer(name=f"Customer {i}") for i in range(existing_customers, customers_needed)],
            batch_size=BATCH,
        )
    customer_ids = list(Customer.objects.values_list("id", flat=True)[:customers_needed])
    span = 3 * 365 * 24 * 3600
    number = have
    through = Conversation.tags.through
    while number < total:
        rows = []
        for _ in range(min(BATCH, total - number)):
            number += 1
            last = now - timedelta(seconds=rng.randrange(span))
            status = rng.choice(OPEN) if rng.random() < 0.25 else rng.choice(["solved", "closed"])
            is_open = status in OPEN
            rows.append(
                Conversation(
                    number=number,
                    subject=f"Question {number}",
                    status=status,
                    priority=rng.choice([1, 2, 2, 2, 3, 4]),
                    channel=rng.choice(["email", "email", "portal", "phone"]),
                    customer_id=rng.choice(customer_ids),
                    assignee=rng.choice(agents) if rng.random() < 0.7 else None,
                    team=rng.choice(teams) if rng.random() < 0.8 else None,
                    message_count=1,
                    last_message_at=last,
                    last_inbound_at=last,
                    waiting_since=last if is_open and rng.random() < 0.6 else None,
                    solved_at=None if is_open else last,
                    created_at=last - timedelta(hours=rng.randrange(1, 200)),
                )
            )
        with transaction.atomic():
            made = Conversation.objects.bulk_create(rows, batch_size=BATCH)
            ids = (
                [row.pk for row in made]
                if made and made[0].pk
                else list(
                    Conversation.objects.filter(
                        number__gt=number - len(rows), number__lte=number
                    ).values_list("id", flat=True)
                )
            )
            through.objects.bulk_create(
                [through(conversation_id=pk, tag_id=rng.choice(tags).pk) for pk in ids if rng.random() < 0.2],
                batch_size=BATCH,
            )
        if number % 100_000 < BATCH:
            print(f"  {number:,} conversations ({time.perf_counter() - started:.0f} s)", flush=True)
    raise_counter_to("conversation", number)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built {total:,} conversations in {time.perf_counter() - started:.0f} s")


def add_messages(conversation: Conversation, count: int) -> None:
    if conversation.messages.exists():
        return
    at = conversation.last_message_at - timedelta(hours=count)
    Message.objects.bulk_create(
        [
            Message(
                conversation=conversation,
                direction="in" if i % 2 == 0 else "out",
                kind="reply",
                channel=conversation.channel,
                author_customer_id=conversation.customer_id if i % 2 == 0 else None,
                text=f"Message {i}\n\n> quoted history",
                new_text=f"Message {i}",
                created_at=at + timedelta(hours=i),
            )
            for i in range(count)
        ]
    )


CPU: list[float] = []


def measure(client: Client, url: str, requests: int, *, cold: bool = False) -> tuple[list[float], int]:
    """Wall-clock times in ms; CPU times of this process go to CPU (SQLite runs in-process)."""
    times = []
    queries = 0
    CPU.clear()
    for _ in range(requests):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            cpu_started = time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            CPU.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return times, queries


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def report(label: str, times: list[float], queries: int) -> None:
    print(
        f"{label:<40} p50 {statistics.median(times):6.1f} ms  p95 {percentile(times, 0.95):6.1f} ms"
        f"  (cpu p50 {statistics.median(CPU):5.1f} ms)  {queries:3d} queries"
    )


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    build(ARGS.conversations)
    agent = Agent.objects.get(email="bench0@example.com")
    client = Client()
    client.force_login(agent)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"\n{Conversation.objects.count():,} conversations on {engine}, {ARGS.requests} requests each, as {agent.email}"
    )
    client.get("/")  # warm up connections, templates and the counts cache
    for slug in BUILT_IN_VIEWS:
        times, queries = measure(client, f"/?view={slug}", ARGS.requests)
        report(f"inbox ?view={slug}", times, queries)
        found = NEXT_LINK.search(client.get(f"/?view={slug}").content.decode())
        if found:
            times, queries = measure(client, "/" + html.unescape(found.group(1)), ARGS.requests)
            report(f"inbox ?view={slug} page 2", times, queries)
    for sort in ("oldest", "priority", "created"):
        times, queries = measure(client, f"/?view=open&sort={sort}", ARGS.requests)
        report(f"inbox ?view=open&sort={sort}", times, queries)
    times, queries = measure(client, "/?tag=vip&status=open", ARGS.requests)
    report("inbox filter tag=vip status=open", times, queries)
    times, queries = measure(client, "/?view=mine", max(5, ARGS.requests // 4), cold=True)
    report("inbox ?view=mine, counts not cached", times, queries)
    visible = Conversation.objects.filter(team__is_restricted=False).order_by("-number")[:20]
    for conversation in visible:
        add_messages(conversation, 12)
    numbers = [conversation.number for conversation in visible]
    all_times: list[float] = []
    all_cpu: list[float] = []
    queries = 0
    for number in numbers:
        times, queries = measure(client, f"/c/{number}/", max(2, ARGS.requests // 10))
        all_times.extend(times)
        all_cpu.extend(CPU)
    CPU[:] = all_cpu
    report("conversation page (12 messages)", all_times, queries)
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
