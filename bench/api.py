"""Server time and SQL queries of the REST API's lists on a seeded database.

    .venv/bin/python bench/api.py                                  # seeds 1,000 in a temp dir
    .venv/bin/python bench/api.py --data-dir /tmp/gw-1m --conversations 1000000
    .venv/bin/python bench/api.py --database-url postgresql://postgres@127.0.0.1:5432/gw_bench_api

A database without demo data is seeded first (`goodwill seed-demo`). Requests go through
Django's test client in-process with a Bearer token of the demo agent; each is sent twice
to warm up, then `--repeat` times. Deep pages are reached by following `next` cursors, so
their cost shows that keyset pagination does not slow down with depth (no OFFSET).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import environment, prepare, run_child, setup_django

TARGET_MS = 50


def child(repeat: int) -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from goodwill.accounts.models import Agent
    from goodwill.accounts.services import issue_api_token
    from goodwill.conversations.models import Conversation
    from goodwill.conversations.selectors import conversations_visible_to

    agent = Agent.objects.get(email="agent@example.com")
    token = issue_api_token(agent, name="bench")
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()

    def get(path: str, params: dict[str, Any] | None = None) -> Any:
        return client.get(f"/api/v1{path}", params or {}, headers=headers)

    def deep(path: str, pages: int, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters of page number `pages`, reached by following cursors."""
        cursor = None
        for _ in range(pages - 1):
            body = get(path, {**params, **({"cursor": cursor} if cursor else {})}).json()
            cursor = body.get("next")
            if not cursor:
                break
        return {**params, **({"cursor": cursor} if cursor else {})}

    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("conversations, first page of 25", "/conversations", {}),
        ("conversations, page 40 of 25", "/conversations", deep("/conversations", 40, {})),
        ("conversations, 100 per page", "/conversations", {"limit": 100}),
        ("conversations ?status=open&status=new", "/conversations", {"status": ["open", "new"]}),
        ("conversations ?assignee=me", "/conversations", {"assignee": "me"}),
        ("conversations ?assignee=none", "/conversations", {"assignee": "none"}),
        ("conversations ?priority=urgent", "/conversations", {"priority": "urgent"}),
        ("customers, first page", "/customers", {}),
        ("customers, page 40", "/customers", deep("/customers", 40, {})),
        ("customers ?q=an", "/customers", {"q": "an"}),
        ("organisations, first page", "/organisations", {}),
    ]
    longest = conversations_visible_to(agent).order_by("-message_count").first()
    if longest is not None:
        path = f"/conversations/{longest.number}"
        requests.append((f"conversation #{longest.number}", path, {}))
        requests.append((f"its messages ({longest.message_count})", f"{path}/messages", {"limit": 100}))

    results = []
    for label, path, params in requests:
        status = None
        for _ in range(2):
            status = get(path, params).status_code
        walls, sqls, counts = [], [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                get(path, params)
                walls.append((time.perf_counter() - started) * 1000)
            times = [float(query["time"]) * 1000 for query in captured.captured_queries]
            sqls.append(sum(times))
            counts.append(len(times))
        ordered = sorted(walls)
        results.append({
            "label": label, "status": status, "p50": statistics.median(walls),
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "sql_p50": statistics.median(sqls), "queries": max(counts),
        })
    print(json.dumps({"conversations": Conversation.objects.count(), "vendor": connection.vendor, "requests": results}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--database-url", help="measure on this PostgreSQL database instead of SQLite")
    parser.add_argument("--conversations", type=int, default=1000, help="size to seed if the database is empty")
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    if options.child:
        child(options.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="gw-bench-api-") as scratch:
        data_dir = options.data_dir or Path(scratch)
        data_dir.mkdir(parents=True, exist_ok=True)
        env = environment(data_dir, options.database_url)
        prepare(env, options.conversations)
        report = run_child(__file__, env, "--repeat", str(options.repeat))
    print(f"\nREST API on {report['conversations']:,} conversations ({report['vendor']})")
    print(f"{'request':<44} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>8} {'queries':>8}")
    for row in report["requests"]:
        flag = f"  (over {TARGET_MS} ms)" if row["p95"] > TARGET_MS else ""
        print(
            f"{row['label'][:44]:<44} {row['status']!s:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} "
            f"{row['sql_p50']:>8.1f} {row['queries']:>8}{flag}"
        )
    print(f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
