"""CPU time per page, in process, for the pages `search_load.py` mixes; and where it goes.

    GOODWILL_DATA_DIR=/path/to/100k .venv/bin/python bench/page_cpu.py
    GOODWILL_DATA_DIR=… .venv/bin/python bench/page_cpu.py --profile inbox --top 40
    GOODWILL_DATABASE_URL=postgresql://… .venv/bin/python bench/page_cpu.py

Signed in as the demo agent through a real session cookie (the session and the agent are
read from the database on every request, as in production), it fetches the same mix as
`search_load.py`'s load rounds (its `page_urls`): every built-in inbox view, conversations of
the newer half, and search for its words (most frequent, 10th, median, rare, a phrase) in both
orders. Each page is
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
import statistics
import time
from collections import defaultdict

from _common import STORAGES, setup_django
from search_load import page_urls, pick_words, session_cookie

MIX = {"inbox": 2, "conversation": 2, "search": 1}


def client_for_demo_agent():  # type: ignore[no-untyped-def]
    """A test client with the demo agent's session cookie (read from the database per request)."""
    from django.test import Client

    name, value = session_cookie()
    client = Client()
    client.cookies[name] = value
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
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    with override_settings(STORAGES=STORAGES):
        urls = page_urls(pick_words())
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
