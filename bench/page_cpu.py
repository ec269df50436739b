"""CPU time per page, in process, for the pages `search_load.py` mixes; and where it goes.

    GOODWILL_DATA_DIR=/path/to/100k .venv/bin/python bench/page_cpu.py
    GOODWILL_DATA_DIR=… .venv/bin/python bench/page_cpu.py --profile inbox --top 40
    GOODWILL_DATABASE_URL=postgresql://… .venv/bin/python bench/page_cpu.py

Signed in as the demo agent through a real session cookie (the session and the agent are
read from the database on every request, as in production), it fetches the same mix as
`search_load.py`'s load rounds: every built-in inbox view, 20 conversations of the newer
half, and search for a frequent, a median and a rare word in both orders. Each page is
fetched once to warm up, then `--repeat` times. Prints mean and p95 CPU time of this
process per page kind (SQL time included on SQLite; on PostgreSQL the server's own CPU is
not counted here), query count per request, and the mean over the `search_load.py` mix
(inbox 2 : conversation 2 : search 1). `--profile KIND` runs that kind under cProfile and
prints the `--top` functions by own time and by cumulative time.

This measures Django's side of a page (middleware, view, ORM, templates), not the HTTP
server's (uvicorn, asyncio): `search_load.py` reports the web processes' whole CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIX = {"inbox": 2, "conversation": 2, "search": 1}


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
    os.environ.setdefault("GOODWILL_ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()


def pages() -> dict[str, list[str]]:
    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Message
    from goodwill.conversations.selectors import BUILT_IN_VIEWS, conversations_visible_to

    agent = Agent.objects.get(email="agent@example.com")
    visible = conversations_visible_to(agent)
    newest = visible.order_by("-number").values_list("number", flat=True).first() or 1
    rng = random.Random(3)
    numbers = [newest - rng.randint(0, max(1, newest // 2)) for _ in range(40)]
    existing = list(visible.filter(number__in=numbers).values_list("number", flat=True))[:20]
    # Words by how many of 2,000 recent messages hold them: frequent, median, rare.
    texts = Message.objects.order_by("-id").values_list("text", flat=True)[:2000]
    counts: dict[str, int] = defaultdict(int)
    for text in texts:
        for word in set(w for w in (text or "").lower().split() if w.isalpha() and len(w) > 3):
            counts[word] += 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    words = [ranked[5], ranked[len(ranked) // 50], ranked[len(ranked) // 5]] if ranked else ["order"]
    return {
        "inbox": [f"/?view={slug}" for slug in BUILT_IN_VIEWS],
        "conversation": [f"/c/{number}/" for number in existing],
        "search": [
            "/search/?" + urllib.parse.urlencode({"q": word, "order": order})
            for word in words
            for order in ("relevance", "date")
        ],
    }


def client_for_demo_agent():  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client

    from goodwill.accounts.models import Agent

    agent = Agent.objects.get(email="agent@example.com")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(agent.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    store.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="rounds over every page of a kind")
    parser.add_argument("--profile", choices=sorted(MIX))
    parser.add_argument("--top", type=int, default=30)
    options = parser.parse_args()
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        urls = pages()
        client = client_for_demo_agent()
        for kind_urls in urls.values():
            for url in kind_urls:
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code}")
        queries: dict[str, list[int]] = defaultdict(list)
        for kind, kind_urls in urls.items():
            for url in kind_urls:
                with CaptureQueriesContext(connection) as captured:
                    client.get(url)
                queries[kind].append(len(captured.captured_queries))
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(options.repeat):
                for url in urls[options.profile]:
                    client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(options.top)
            stats.sort_stats("cumulative").print_stats(options.top)
            return
        cpus: dict[str, list[float]] = defaultdict(list)
        for _ in range(options.repeat):
            for kind, kind_urls in urls.items():
                for url in kind_urls:
                    started = time.process_time()
                    client.get(url)
                    cpus[kind].append((time.process_time() - started) * 1000)
    print(f"{connection.vendor}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'page':<14} {'n':>4} {'CPU mean':>9} {'CPU p50':>8} {'CPU p95':>8} {'queries':>8}")
    for kind, samples in cpus.items():
        print(
            f"{kind:<14} {len(samples):>4} {statistics.mean(samples):>9.1f} {statistics.median(samples):>8.1f} "
            f"{percentile(samples, 0.95):>8.1f} {min(queries[kind])}-{max(queries[kind])}"
        )
    mix = sum(statistics.mean(cpus[kind]) * weight for kind, weight in MIX.items()) / sum(MIX.values())
    print(
        f"mix (inbox 2 : conversation 2 : search 1): {mix:.1f} ms CPU per page "
        f"(load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
