"""Service recovery at scale: the queue (mine / team / all, with the lead summary), a case page,
the "Recovery" inbox view, a customer page with cases, and one `recovery.results` run.

    GOODWILL_DATA_DIR=/tmp/gw-1m .venv/bin/python bench/recovery_pages.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/recovery_pages.py

Uses an already seeded database (`goodwill seed-demo` puts a recovery case on about one assigned
conversation in forty); with neither variable set it seeds 1,000 conversations in a temporary
folder. Signed in as the demo admin (who sees the lead summary of every team), each page is
fetched twice to warm up, then `--repeat` times; prints p50/p95 wall and CPU time, SQL time and
queries. The results job really runs: use a bench database.
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
    parser.add_argument("--no-jobs", action="store_true", help="pages only; do not run recovery.results")
    args = parser.parse_args()
    seed_unless_given("gw-recovery-bench-")
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.recovery.models import RecoveryCase

    admin = Agent.objects.filter(role="admin", is_active=True).order_by("pk").first()
    assert admin is not None, "seed the demo first"
    client = Client()
    client.force_login(admin)
    total = Conversation.objects.count()
    cases = RecoveryCase.objects.count()
    open_cases = RecoveryCase.objects.filter(status="open").count()
    print(f"{connection.vendor}, {total:,} conversations, {cases:,} recovery cases ({open_cases:,} open)")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    case = RecoveryCase.objects.order_by("-pk").first()
    pages = [
        ("recovery queue, mine", "/recovery/?scope=mine"),
        ("recovery queue, my teams", "/recovery/?scope=team"),
        ("recovery queue, all open + summary", "/recovery/?scope=all"),
        ("inbox ?view=recovery", "/?view=recovery"),
    ]
    if case is not None:
        pages.append(("case page", f"/recovery/{case.pk}/"))
        pages.append(("customer page with cases", f"/customers/{case.customer_id}/"))
    print_pages(client, pages, args.repeat, width=42)
    if args.no_jobs:
        return
    from goodwill.recovery.jobs import measure_results

    started = time.perf_counter()
    result = measure_results(timezone.now())
    print(f"recovery.results: {time.perf_counter() - started:.2f} s ({result or 'nothing to settle'})")


if __name__ == "__main__":
    main()
