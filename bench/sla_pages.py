"""SLA pages at scale: "Breaching soon", the "time left" sort, the expectations page, the sweep.

    GOODWILL_DATA_DIR=/tmp/gw-1m .venv/bin/python bench/sla_pages.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/sla_pages.py

Uses an already seeded database (`goodwill seed-demo`, which puts SLA clocks on every open
conversation); with neither variable set it seeds 1,000 conversations in a temporary folder. Signed in as the demo agent with Django's test client, each page is fetched
twice to warm up, then `--repeat` times; it prints p50/p95 of wall and CPU time per request,
SQL time and queries, and the plan of the "Breaching soon" query (it must use
conv_open_sla_due). Then it times one `sla.sweep` (on a copy of nothing: it really runs, so
run it on a bench database) and one full `expectations.figures` build.
"""

from __future__ import annotations

import argparse
import os
import time

from _common import print_pages, seed_unless_given, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--no-jobs", action="store_true", help="pages only; do not run the sweep and figures jobs"
    )
    args = parser.parse_args()
    seed_unless_given("gw-sla-bench-")
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.conversations.selectors import BUILT_IN_VIEWS, conversations_visible_to, inbox_page

    agent = Agent.objects.get(email="agent@example.com")
    client = Client()
    client.force_login(agent)
    total = Conversation.objects.count()
    with_clock = Conversation.objects.filter(sla_due_at__isnull=False).count()
    print(f"{connection.vendor}, {total:,} conversations, {with_clock:,} with a running SLA clock")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    view = BUILT_IN_VIEWS["breaching"]
    cursor = inbox_page(agent, where=view.where(agent), sort=view.sort).next_cursor or ""
    pages = [
        ("inbox ?view=breaching", "/?view=breaching"),
        ("inbox ?view=open&sort=time_left", "/?view=open&sort=time_left"),
        ("inbox ?view=mine&sort=time_left", "/?view=mine&sort=time_left"),
        ("inbox ?view=team&sort=time_left", "/?view=team&sort=time_left"),
        ("inbox ?view=unassigned&sort=time_left", "/?view=unassigned&sort=time_left"),
        ("expectations page", "/expectations/"),
    ]
    if cursor:
        pages.insert(1, ("  breaching, second page", f"/?view=breaching&after={cursor}"))
    print_pages(client, pages, args.repeat, width=42)
    query = conversations_visible_to(agent).filter(view.where(agent)).order_by("sla_due_at", "id")[:51]
    print("plan of the Breaching soon page:")
    print("  " + query.explain().replace("\n", "\n  "))
    if args.no_jobs:
        return
    from goodwill.expectations.figures import refresh_figures
    from goodwill.expectations.jobs import sweep

    started = time.perf_counter()
    result = sweep(timezone.now())
    print(f"sla.sweep: {time.perf_counter() - started:.2f} s ({result or 'nothing due'})")
    started = time.perf_counter()
    result = refresh_figures(timezone.now())
    print(f"expectations.figures: {time.perf_counter() - started:.1f} s ({result})")


if __name__ == "__main__":
    main()
