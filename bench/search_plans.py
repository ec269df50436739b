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
    parser.add_argument(
        "--cpu", type=int, default=0, help="instead: N runs each, CPU of Python + PostgreSQL backend"
    )
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
    if args.cpu:
        cpu_table(agent, args.words, orders, args.cpu)
        return
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


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_table(agent: object, words: list[str], orders: list[str], runs: int) -> None:
    """Per word and order: mean CPU ms of one search, this process + its database backend (backend alone)."""
    import statistics

    from django.db import connection

    from goodwill.search.selectors import search_for

    search_for(agent, "warm", order="date")  # type: ignore[arg-type]
    with connection.cursor() as db:
        db.execute("SELECT pg_backend_pid()") if connection.vendor == "postgresql" else None
        pid = db.fetchone()[0] if connection.vendor == "postgresql" else 0
    print(f"{'word':24} " + " ".join(f"{order + ' CPU ms (db)':>20}" for order in orders))
    for word in words:
        cells = []
        for order in orders:
            search_for(agent, word, order=order)  # type: ignore[arg-type]
            totals, backend = [], []
            for _ in range(runs):
                before_db = backend_cpu_ms(pid) if pid else 0.0
                before = time.process_time()
                search_for(agent, word, order=order)  # type: ignore[arg-type]
                db_ms = (backend_cpu_ms(pid) - before_db) if pid else 0.0
                totals.append((time.process_time() - before) * 1000 + db_ms)
                backend.append(db_ms)
            # /proc counts CPU in 10 ms ticks: means over many runs, not percentiles.
            cells.append(f"{statistics.mean(totals):5.1f} ({statistics.mean(backend):4.1f})")
        print(f"{word:24} " + " ".join(f"{cell:>20}" for cell in cells), flush=True)
    print(f"load {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
