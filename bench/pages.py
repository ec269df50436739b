"""Server time and SQL queries of the agent's main pages on a seeded database.

    .venv/bin/python bench/pages.py                               # seeds 1,000 in a temp dir
    .venv/bin/python bench/pages.py --data-dir /tmp/gw-1m         # an existing (or new) SQLite data dir
    .venv/bin/python bench/pages.py --data-dir /tmp/gw-1m --conversations 1000000
    .venv/bin/python bench/pages.py --database-url postgresql://postgres@127.0.0.1:5432/gw_bench

A database without demo data is seeded first (`--conversations`, default 1,000). Pages
are fetched in-process with Django's test client, signed in as the demo agent; each is
fetched twice to warm up, then `--repeat` times. The table shows p50/p95 wall time and
CPU time of the whole request (on PostgreSQL the CPU time of the server process serving
the connection is added, read from /proc/<pid>/schedstat when the server runs on this
machine), SQL time and query count, and the slowest query of pages
over target (inbox and conversation 50 ms, search 100 ms; judged on CPU time, which does
not count waiting for a busy machine's CPU). Unless `--no-compare`, the same pages are
also measured on a fresh 1,000-conversation SQLite database, to show that query counts
do not grow with the data.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from _common import (
    STORAGES,
    environment,
    measure_page,
    percentile,
    prepare,
    run_child,
    setup_django,
)

TARGET_MS = {"inbox": 50, "conversation": 50, "customer": 50, "search": 100}


# --- the child: Django set up against one database -------------------------------------


def child(repeat: int) -> None:
    setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import NoReverseMatch, reverse

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.conversations.selectors import BUILT_IN_VIEWS, conversations_visible_to

    agent = Agent.objects.get(email="agent@example.com")
    client = Client()
    client.force_login(agent)
    visible = conversations_visible_to(agent)
    pages: list[tuple[str, str, str, dict[str, str]]] = []
    for slug in BUILT_IN_VIEWS:
        pages.append(("inbox", f"inbox ?view={slug}", f"/?view={slug}", {}))
    # An ad-hoc filter over every status: the demo agent's conversations, open or not.
    pages.append(("inbox", "inbox ?assignee=me (every status)", "/?assignee=me", {}))
    through = Conversation.tags.through
    tag = through.objects.values("tag__name").annotate(n=Count("id")).order_by("-n", "tag__name").first()
    if tag is not None:
        # Ad-hoc filters with no status: a tag on a few percent of all conversations.
        label = f"inbox ?tag={tag['tag__name']} ({tag['n']:,} convs)"
        pages.append(("inbox", label, f"/?tag={tag['tag__name']}", {}))
        pages.append(
            ("inbox", "  same tag, sorted by priority", f"/?tag={tag['tag__name']}&sort=priority", {})
        )
    long = visible.filter(message_count__gte=50).order_by("-number").first()
    if long is not None:
        pages.append(
            (
                "conversation",
                f"conversation #{long.number} ({long.message_count} msgs)",
                f"/c/{long.number}/",
                {},
            )
        )
        pages.append(
            (
                "conversation",
                "  its timeline fragment (htmx)",
                f"/c/{long.number}/?partial=timeline",
                {"HTTP_HX_REQUEST": "true"},
            )
        )
    busiest = visible.values("customer_id").annotate(n=Count("id")).order_by("-n", "customer_id").first()
    if busiest is not None:
        latest = visible.filter(customer_id=busiest["customer_id"]).order_by("-number").first()
        assert latest is not None
        pages.append(
            (
                "customer",
                f"conversation of busiest customer ({busiest['n']} convs)",
                f"/c/{latest.number}/",
                {},
            )
        )
        for name in ("customers:detail", "customers:customer"):
            try:
                url = reverse(name, args=[busiest["customer_id"]])
            except NoReverseMatch:
                continue
            pages.append(("customer", "customer page of the busiest customer", url, {}))
            break
    pages.append(("search", "search: common word 'order'", "/search/?q=order", {}))
    pages.append(("search", "search: rare word 'fjordlight'", "/search/?q=fjordlight", {}))

    results = []
    with override_settings(STORAGES=STORAGES):
        for kind, label, url, headers in pages:
            page = measure_page(client, url, repeat, headers=headers)
            walls, cpus, servers, counts = page["walls"], page["cpus"], page["servers"], page["counts"]
            results.append(
                {
                    "kind": kind,
                    "label": label,
                    "url": url,
                    "status": page["status"],
                    "p50": statistics.median(walls),
                    "p95": percentile(walls, 95),
                    "cpu_p50": statistics.median(cpus),
                    "cpu_p95": percentile(cpus, 95),
                    "sql_p50": statistics.median(page["sqls"]),
                    "server_p50": statistics.median(servers) if servers else None,
                    "queries": int(statistics.median(counts)),
                    "queries_max": max(counts),
                    "slowest_ms": page["slowest"][0],
                    "slowest_sql": page["slowest"][1][:300],
                }
            )
    total = Conversation.objects.count()
    print(json.dumps({"conversations": total, "vendor": connection.vendor, "pages": results}))


# --- the parent: prepare databases, print the table -------------------------------------


def print_table(big: dict[str, Any], small: dict[str, Any] | None) -> None:
    small_counts = {page["label"]: page["queries"] for page in (small or {}).get("pages", [])}
    print(f"\n{big['conversations']:,} conversations on {big['vendor']}")
    header = (
        f"{'page':<48} {'status':>6} {'wall p50':>8} {'wall p95':>8} {'CPU p50':>8} {'CPU p95':>8} "
        f"{'SQL p50':>8} {'queries':>8}"
    )
    with_server = big["vendor"] != "sqlite"
    if with_server:
        header += f" {'DB CPU50':>8}"
    if small:
        header += f" {'q @' + format(small['conversations'], ','):>9}"
    print(header)
    misses = []
    for page in big["pages"]:
        target = TARGET_MS[page["kind"]]
        flag = " over" if page["cpu_p95"] > target else ""
        queries = str(page["queries"]) + (
            f"/{page['queries_max']}" if page["queries_max"] != page["queries"] else ""
        )
        line = (
            f"{page['label'][:48]:<48} {page['status']!s:>6} {page['p50']:>8.1f} {page['p95']:>8.1f} "
            f"{page['cpu_p50']:>8.1f} {page['cpu_p95']:>8.1f} {page['sql_p50']:>8.1f} {queries:>8}"
        )
        if with_server:
            line += f" {page['server_p50']:>8.1f}"
        if small:
            line += f" {small_counts.get(page['label'], '-')!s:>9}"
        print(line + (f"  (target {target} ms){flag}" if flag else ""))
        if flag:
            misses.append(page)
    for page in misses:
        print(
            f"\n{page['label'].strip()}: CPU p95 {page['cpu_p95']:.0f} ms over {TARGET_MS[page['kind']]} ms; "
            f"slowest query {page['slowest_ms']:.0f} ms:\n  {page['slowest_sql']}"
        )
    print(
        "\nCPU = this process's CPU time per request (on PostgreSQL plus the server process's own CPU time, "
        "DB CPU50 = its median, read from /proc; SQL time instead when the server is not on this machine): "
        "the server time an idle machine would show;\nwall time also counts waiting for a CPU. Targets (inbox and conversation 50 ms, "
        "search 100 ms) are checked on CPU p95.\nqueries = median/max per request (max is higher when a "
        "cached count is recomputed)."
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, default=os.environ.get("GOODWILL_BENCH_DATA_DIR"))
    parser.add_argument("--database-url", help="measure on this PostgreSQL database instead of SQLite")
    parser.add_argument(
        "--conversations", type=int, default=1000, help="size to seed if the database is empty"
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-compare", action="store_true", help="skip the 1,000-conversation comparison")
    options = parser.parse_args()
    if options.child:
        child(options.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="gw-bench-pages-") as scratch:
        data_dir = options.data_dir or Path(scratch) / "main"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = environment(data_dir, options.database_url)
        prepare(env, options.conversations)
        big = run_child(
            __file__, environment(data_dir, options.database_url), "--repeat", str(options.repeat)
        )
        small = None
        if not options.no_compare and (big["conversations"] > 1000 or big["vendor"] != "sqlite"):
            small_dir = Path(scratch) / "small"
            small_dir.mkdir()
            small_env = environment(small_dir, None)
            prepare(small_env, 1000)
            small = run_child(__file__, small_env, "--repeat", str(options.repeat))
        print_table(big, small)


if __name__ == "__main__":
    main()
