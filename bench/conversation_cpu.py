"""CPU per conversation page only (the `page_cpu.py` conversation set), and where it goes.

    GOODWILL_DATA_DIR=/path/to/100k .venv/bin/python bench/conversation_cpu.py
    GOODWILL_DATA_DIR=… .venv/bin/python bench/conversation_cpu.py --profile --top 40
    GOODWILL_DATA_DIR=… .venv/bin/python bench/conversation_cpu.py --partial timeline

The same 20 conversations, agent and session as `page_cpu.py`, without its inbox and search
pages, so before/after pairs of the conversation page can be taken quickly and back to back.
`--partial timeline` fetches the htmx timeline fragment instead of the whole page.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_cpu import client_for_demo_agent, pages, percentile, setup  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="rounds over the 20 conversations")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--partial", choices=["timeline", "properties"])
    options = parser.parse_args()
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    headers = {"HTTP_HX_REQUEST": "true"} if options.partial else {}
    suffix = f"?partial={options.partial}" if options.partial else ""
    with override_settings(STORAGES=storages):
        urls = [url + suffix for url in pages()["conversation"]]
        client = client_for_demo_agent()
        for url in urls:
            response = client.get(url, **headers)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
        queries = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                client.get(url, **headers)
            queries.append(len(captured.captured_queries))
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(options.repeat):
                for url in urls:
                    client.get(url, **headers)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(options.top)
            stats.sort_stats("cumulative").print_stats(options.top)
            return
        cpus = []
        for _ in range(options.repeat):
            for url in urls:
                started = time.process_time()
                client.get(url, **headers)
                cpus.append((time.process_time() - started) * 1000)
    print(
        f"{connection.vendor}; conversation page{' (' + options.partial + ')' if options.partial else ''}: "
        f"n {len(cpus)}, CPU mean {statistics.mean(cpus):.1f} ms, p50 {statistics.median(cpus):.1f}, "
        f"p95 {percentile(cpus, 0.95):.1f}, queries {min(queries)}-{max(queries)}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
