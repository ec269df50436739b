"""The outcome × conduct grid (and the other voice reports) on a seeded database.

    GOODWILL_DATA_DIR=/tmp/gw-1m .venv/bin/python bench/voice_grid.py [--top-up] [--repeat 20]

Goal: the grid page answers within 500 ms p95 at 1,000,000 conversations with 200,000 answers.
Uses an already seeded database (`goodwill seed-demo` seeds about one two-axis answer per five
conversations); `--top-up` first adds the demo voice rows to a data set seeded before the voice
part of the seeder existed (`goodwill.demo.voice.seed_voice`, idempotent). With neither
GOODWILL_DATA_DIR nor GOODWILL_DATABASE_URL it seeds 1,000 conversations in a temporary folder.
Signed in as the demo admin with Django's test client, each page is fetched twice to warm up,
then `--repeat` times; it prints p50/p95 of wall and CPU time, SQL time and queries per page,
the load average, and the plan of the grid's query.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

from _common import print_pages, seed_unless_given, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--top-up", action="store_true", help="add the demo voice rows first (idempotent)")
    parser.add_argument("--grid-only", action="store_true", help="only the grid pages")
    parser.add_argument(
        "--rebuild-extra-mile",
        action="store_true",
        help="time a full rebuild of the extra-mile report's daily figures, then one stale day",
    )
    args = parser.parse_args()
    seed_unless_given("gw-voice-bench-")
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.voice.grid import outcome_conduct_grid
    from goodwill.voice.models import Survey

    if args.top_up:
        from goodwill.demo.voice import seed_voice

        started = time.perf_counter()
        last = (
            Conversation.objects.order_by("-last_message_at")
            .values_list("last_message_at", flat=True)
            .first()
        )
        anchor = int((last or timezone.now()).timestamp()) + 3600
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
        print(f"top-up: {seed_voice(anchor=anchor)} in {time.perf_counter() - started:.0f} s")
        from goodwill.voice.returns import refresh_returns

        started = time.perf_counter()
        print(
            f"voice.returns: {refresh_returns(limit=None) or 'nothing new'} in {time.perf_counter() - started:.0f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE voice_survey")

    if args.rebuild_extra_mile:
        rebuild_extra_mile()

    admin = Agent.objects.get(email="admin@example.com")
    client = Client()
    client.force_login(admin)
    total = Conversation.objects.count()
    answers = Survey.objects.filter(answered_at__isnull=False).count()
    print(f"{connection.vendor}, {total:,} conversations, {answers:,} two-axis answers")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    team = admin.teams.order_by("pk").first() if hasattr(admin, "teams") else None
    pages = [("grid, last 365 days, all teams", "/voice/grid/")]
    if team is not None:
        pages.append(("grid, one team", f"/voice/grid/?team={team.pk}"))
    pages.append(("grid, last 30 days", f"/voice/grid/?from={(timezone.localdate() - timedelta(days=30))}"))
    if not args.grid_only:
        pages += [("NPS and CES", "/voice/nps-ces/"), ("extra-mile report", "/voice/extra-mile/")]
    print_pages(client, pages, args.repeat, width=36)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    now = timezone.now()
    if not args.grid_only:
        from goodwill.voice.extra_mile import Filters, comparison

        with CaptureQueriesContext(connection) as captured:
            comparison(Filters(since=now - timedelta(days=365), until=now))
        explain("the extra-mile comparison", captured.captured_queries[-1]["sql"])
    with CaptureQueriesContext(connection) as captured:
        outcome_conduct_grid(since=now - timedelta(days=365), until=now)
    explain("the grid query", captured.captured_queries[-1]["sql"])


def explain(label: str, sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql)
        print(f"plan of {label}:")
        for row in cursor.fetchall():
            print("  " + " ".join(str(part) for part in row))


def rebuild_extra_mile() -> None:
    """Every day of the extra-mile figures from scratch (the job's first run), then one stale day."""
    from django.db.models import Max

    from goodwill.core.models import Counter
    from goodwill.voice import extra_mile_days
    from goodwill.voice.models import ExtraMileDay, ExtraMileStale

    Counter.objects.filter(name=extra_mile_days.BUILT).delete()
    ExtraMileStale.objects.all().delete()
    started, cpu = time.perf_counter(), time.process_time()
    days = extra_mile_days.rebuild_stale_days(limit=None)
    print(
        f"extra-mile figures, every day: {days} days, {ExtraMileDay.objects.count():,} rows in "
        f"{time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} s CPU "
        f"(load {os.getloadavg()[0]:.2f})"
    )
    newest = ExtraMileDay.objects.aggregate(day=Max("day"))["day"]
    if newest is None:
        return
    for label, day in (("newest day", newest), ("a day 60 days before", newest - timedelta(days=60))):
        ExtraMileStale.objects.create(day=day)
        started, cpu = time.perf_counter(), time.process_time()
        extra_mile_days.rebuild_stale_days()
        print(
            f"extra-mile figures, one stale day ({label}): {(time.perf_counter() - started) * 1000:.0f} ms wall, "
            f"{(time.process_time() - cpu) * 1000:.0f} ms CPU (load {os.getloadavg()[0]:.2f})"
        )


if __name__ == "__main__":
    main()
