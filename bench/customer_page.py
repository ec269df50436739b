"""The customer page and customer memory on a seeded database: p50/p95 and query counts.

    .venv/bin/python bench/customer_page.py                              # seeds 2,000 in a temp dir
    .venv/bin/python bench/customer_page.py --data-dir /tmp/gw-1m        # an existing (or new) SQLite data dir
    .venv/bin/python bench/customer_page.py --data-dir /tmp/gw-1m --conversations 1000000
    .venv/bin/python bench/customer_page.py --database-url postgresql://postgres@127.0.0.1:5432/gw_bench

The demo seeder gives one "regular" customer thousands of conversations and facts
(goodwill/demo/memory.py); the busiest customer is measured: their customer page (timeline,
facts, duplicate suggestions, newest conversations), the next timeline page (htmx), an older
page of their conversations, one of their conversations (facts sidebar and greeting hint) and
their organisation page. Each page is fetched twice to warm up, then `--repeat` times, in-process
with Django's test client as the demo agent. Target: the customer page within 50 ms p95
(judged on CPU time: this process plus, on a local PostgreSQL, the server process serving it).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from _common import STORAGES, environment, measure_page, percentile, prepare, run_child, setup_django

TARGET_MS = 50.0


def pages_to_measure() -> tuple[list[tuple[str, str, dict[str, str]]], dict[str, Any]]:
    from django.db.models import Count
    from django.urls import reverse

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.conversations.visibility import conversations_visible_to
    from goodwill.customers.models import Customer
    from goodwill.memory.models import Fact
    from goodwill.memory.timeline import customer_timeline

    agent = Agent.objects.get(email="agent@example.com")
    busiest = (
        Conversation.objects.values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n", "customer_id")
        .first()
    )
    assert busiest is not None, "no conversations"
    pk = busiest["customer_id"]
    customer = Customer.objects.get(pk=pk)
    customer_url = reverse("conversations:customer", args=[pk])
    pages = [("customer page of the busiest customer", customer_url, {})]
    _entries, cursor = customer_timeline(agent, customer)
    if cursor is not None:
        next_url = f"{reverse('memory:timeline', args=[pk])}?cursor={cursor.encode()}"
        pages.append(("  its next timeline page (htmx)", next_url, {"HTTP_HX_REQUEST": "true"}))
    newest = list(
        Conversation.objects.filter(customer_id=pk)
        .order_by("-last_message_at", "-id")
        .values_list("last_message_at", "id")[:25]
    )
    if len(newest) == 25:
        at, last = newest[-1]
        before = base64.urlsafe_b64encode(f"{at.isoformat()}|{last}".encode()).decode().rstrip("=")
        pages.append(("  its older conversations", f"{customer_url}?before={before}", {}))
    latest = conversations_visible_to(agent).filter(customer_id=pk).order_by("-last_message_at").first()
    assert latest is not None
    pages.append(
        ("  its latest conversation (facts, hint)", reverse("conversations:detail", args=[latest.number]), {})
    )
    if customer.organisation_id:
        pages.append(
            ("  its organisation page", reverse("memory:organisation", args=[customer.organisation_id]), {})
        )
    about = {
        "customer": pk,
        "conversations": busiest["n"],
        "facts": Fact.objects.filter(customer_id=pk).count(),
        "all_conversations": Conversation.objects.count(),
    }
    return pages, about


def child(repeat: int) -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from goodwill.accounts.models import Agent

    results = []
    with override_settings(STORAGES=STORAGES):
        pages, about = pages_to_measure()
        client = Client()
        client.force_login(Agent.objects.get(email="agent@example.com"))
        for label, url, headers in pages:
            page = measure_page(client, url, repeat, headers=headers)
            walls, cpus = page["walls"], page["cpus"]
            results.append(
                {
                    "label": label,
                    "status": page["status"],
                    "p50": statistics.median(walls),
                    "p95": percentile(walls, 95),
                    "cpu_p50": statistics.median(cpus),
                    "cpu_p95": percentile(cpus, 95),
                    "sql_p50": statistics.median(page["sqls"]),
                    "queries": max(page["counts"]),
                }
            )
    print(json.dumps({"vendor": connection.vendor, "about": about, "pages": results}))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, default=os.environ.get("GOODWILL_BENCH_DATA_DIR"))
    parser.add_argument("--database-url", help="measure on this PostgreSQL database instead of SQLite")
    parser.add_argument(
        "--conversations", type=int, default=2000, help="size to seed if the database is empty"
    )
    parser.add_argument("--repeat", type=int, default=30)
    options = parser.parse_args()
    if options.child:
        child(options.repeat)
        return
    with tempfile.TemporaryDirectory(prefix="gw-bench-customer-") as scratch:
        data_dir = options.data_dir or Path(scratch)
        data_dir.mkdir(parents=True, exist_ok=True)
        env = environment(data_dir, options.database_url)
        prepare(env, options.conversations)  # seeds only an empty database
        report = run_child(__file__, env, "--repeat", str(options.repeat))
    about = report["about"]
    print(
        f"\n{about['all_conversations']:,} conversations on {report['vendor']}; busiest customer {about['customer']}: "
        f"{about['conversations']:,} conversations, {about['facts']:,} facts"
    )
    print(
        f"{'page':<42} {'status':>6} {'wall p50':>8} {'wall p95':>8} {'CPU p50':>8} {'CPU p95':>8} {'SQL p50':>8} {'queries':>7}"
    )
    for page in report["pages"]:
        over = page["label"].startswith("customer page") and page["cpu_p95"] > TARGET_MS
        print(
            f"{page['label'][:42]:<42} {page['status']!s:>6} {page['p50']:>8.1f} {page['p95']:>8.1f} "
            f"{page['cpu_p50']:>8.1f} {page['cpu_p95']:>8.1f} {page['sql_p50']:>8.1f} {page['queries']:>7}"
            + (f"  over the {TARGET_MS:.0f} ms target" if over else "")
        )
    print(
        f"milliseconds; CPU includes a local PostgreSQL server's own CPU time; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
