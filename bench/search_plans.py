"""Every SQL statement the search page runs for a word, timed, with its plan (PostgreSQL).

    GOODWILL_DATABASE_URL=postgresql://…/gw .venv/bin/python bench/search_plans.py kind sven '"good morning"'
    options: --order relevance|date|both  --explain (EXPLAIN (ANALYZE, BUFFERS) statements over --slow ms)
             --slow 2  --repeat 3

Runs `search_for` for the demo agent as the search page does (everything at once, 20
messages), `--repeat` times, and prints the last run's statements with their time,
slowest first, and the sum. With `--explain`, the plan of each statement slower than
`--slow` ms (run with parallel workers off, as the search runs them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("words", nargs="+")
    parser.add_argument("--order", default="both", choices=["relevance", "date", "both"])
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--slow", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goodwill.accounts.models import Agent
    from goodwill.search.selectors import search_for

    agent = Agent.objects.get(email="agent@example.com")
    orders = ["relevance", "date"] if args.order == "both" else [args.order]
    print(f"load {' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    for word in args.words:
        for order in orders:
            walls, cpus = [], []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started, cpu = time.perf_counter(), time.process_time()
                    found = search_for(agent, word, order=order)
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
            sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
            totals = {name: page.total_text for name, page in found.pages.items()}
            print(
                f"\n== {word} {order}: wall {min(walls):.0f}-{max(walls):.0f} ms, python CPU "
                f"{min(cpus):.0f} ms, SQL {sql_ms:.0f} ms in {len(captured.captured_queries)} queries; {totals}"
            )
            ranked = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
            for query in ranked:
                ms = float(query["time"]) * 1000
                if ms < 0.5:
                    continue
                print(f"  {ms:7.1f} ms  {query['sql'][:220]}")
                if args.explain and ms >= args.slow and query["sql"].lstrip().upper().startswith("SELECT"):
                    with connection.cursor() as db:
                        db.execute("BEGIN")
                        db.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                        db.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                        for (line,) in db.fetchall():
                            print("      " + line)
                        db.execute("ROLLBACK")


if __name__ == "__main__":
    main()
