"""Insights dashboards of the feature apps: promise keeping, outcome × conduct, complaints, recovery.

    GOODWILL_DATA_DIR=/tmp/gw-1m .venv/bin/python bench/insights_features.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/insights_features.py

Uses an already seeded database (`goodwill seed-demo`; migrate it first). When it has no
feedback answers yet (seeded before the voice demo rows existed) it adds them with the demo's own
`seed_voice`; when it has no recovery cases (the recovery seeder lives in its own app) it adds
bench filler cases, one for about one conversation in twenty, with `--fill`. Each builder is
called twice to warm up, then `--repeat` times per filter combination (last 30 days, last 7
days, the whole history; with a team, an agent, a channel, a need); it prints p50/p95 of wall
and CPU time, the number of queries and the load average on each line, and the row counts it
measured over.

`--quick` (for the 1M run, within about three minutes once the rows exist): three combinations
(30 days, the whole history, a team), one warm-up and three timed calls each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def fill_recovery(anchor: datetime) -> int:
    """Bench filler: recovery cases on every twentieth conversation (triggers, results, durations)."""
    from goodwill.conversations.models import Conversation
    from goodwill.demo.basics import Dice
    from goodwill.recovery.models import RecoveryCase

    rng = Dice(20)
    triggers = [value for value, _ in RecoveryCase.Trigger.choices]
    results = ("recovered", "recovered", "recovered", "not_recovered", "no_response")
    rows = (
        Conversation.objects.filter(id__gt=0)
        .extra(where=["id % 20 = 0"])
        .values_list("id", "customer_id", "team_id", "assignee_id", "created_at")
    )
    batch: list[RecoveryCase] = []
    made = 0
    for conversation_id, customer_id, team_id, owner_id, created_at in rows.iterator(chunk_size=5000):
        opened = created_at + timedelta(hours=1 + rng.randrange(72))
        case = RecoveryCase(
            customer_id=customer_id,
            conversation_id=conversation_id,
            team_id=team_id,
            owner_id=owner_id,
            trigger=rng.choice(triggers),
            source_key=f"bench:{conversation_id}",
            reason="Bench filler",
            opened_at=min(opened, anchor),
            due_at=opened + timedelta(days=3),
        )
        closed = opened + timedelta(hours=2 + rng.randrange(24 * 10))
        if closed < anchor:
            case.status, case.closed_at = RecoveryCase.Status.CLOSED, closed
            case.result = rng.choice(results) if rng.random() < 0.9 else ""
        batch.append(case)
        if len(batch) >= 5000:
            made += len(RecoveryCase.objects.bulk_create(batch))
            batch = []
    return made + len(RecoveryCase.objects.bulk_create(batch))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fill", action="store_true", help="add bench recovery cases when there are none")
    parser.add_argument("--only", default="", help="comma-separated dashboard slugs")
    parser.add_argument("--quick", action="store_true", help="3 combinations × 3 calls (about 3 min at 1M)")
    args = parser.parse_args()
    warm_up = 2
    if args.quick:
        args.repeat, warm_up = min(args.repeat, 3), 1

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from goodwill.accounts.models import Agent, Team
    from goodwill.conversations.models import ContactReason, Conversation
    from goodwill.demo.voice import seed_voice
    from goodwill.demo.writer import epoch_seconds
    from goodwill.insights.registry import Filters, dashboard
    from goodwill.promises.models import Promise
    from goodwill.recovery.models import RecoveryCase
    from goodwill.voice.models import Complaint, Survey

    newest = Conversation.objects.aggregate(m=Max("created_at"))["m"]
    if newest is None:
        sys.exit("No conversations: seed first (goodwill seed-demo --conversations N).")
    anchor = newest.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    seeded = not Survey.objects.exists() or (args.fill and not RecoveryCase.objects.exists())
    if not Survey.objects.exists():
        started = time.perf_counter()
        print(
            "seeding demo feedback and complaints:",
            seed_voice(anchor=epoch_seconds(anchor)),
            f"({time.perf_counter() - started:.0f} s)",
        )
    if args.fill and not RecoveryCase.objects.exists():
        started = time.perf_counter()
        print(f"bench recovery cases: {fill_recovery(anchor):,} ({time.perf_counter() - started:.0f} s)")
    if seeded and connection.vendor == "sqlite":  # as the demo seeder does after its load
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {Conversation.objects.count():,} conversations, "
        f"{Survey.objects.filter(answered_at__isnull=False).count():,} answers, "
        f"{Promise.objects.filter(state='closed').count():,} closed promises, {Complaint.objects.count():,} complaints, "
        f"{RecoveryCase.objects.count():,} recovery cases; load average {os.getloadavg()[0]:.1f}"
    )
    today = (anchor - timedelta(days=1)).date()
    team = Team.objects.order_by("pk").first()
    agent = Agent.objects.filter(promises__isnull=False).order_by("pk").first()
    need = ContactReason.objects.filter(name="Complaint").first() or ContactReason.objects.first()
    combos = {
        "30 days": Filters(today - timedelta(days=29), today),
        "7 days": Filters(today - timedelta(days=6), today),
        "whole history (120 d)": Filters(today - timedelta(days=119), today),
        "30 days, team": Filters(today - timedelta(days=29), today, team_id=team.pk if team else None),
        "30 days, agent": Filters(today - timedelta(days=29), today, agent_id=agent.pk if agent else None),
        "30 days, channel phone": Filters(today - timedelta(days=29), today, channel="phone"),
        "30 days, need": Filters(today - timedelta(days=29), today, need_id=need.pk if need else None),
    }
    if args.quick:
        combos = {name: combos[name] for name in ("30 days", "whole history (120 d)", "30 days, team")}
    slugs = [
        s
        for s in (
            args.only.split(",") if args.only else ["promises", "outcome-conduct", "complaints", "recovery"]
        )
    ]
    print(
        f"{'dashboard':<16} {'filters':<24} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>8} {'CPU p95':>8} {'queries':>7}"
        f" {'load':>5}"
    )
    for slug in slugs:
        board = dashboard(slug)
        assert board is not None, slug
        for name, filters in combos.items():
            for _ in range(warm_up):
                board.build(filters)
            walls, cpus = [], []
            for _ in range(args.repeat):
                wall, cpu = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    board.build(filters)
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            print(
                f"{slug:<16} {name:<24} {statistics.median(walls):>7.0f}ms {p95(walls):>7.0f}ms "
                f"{statistics.median(cpus):>6.0f}ms {p95(cpus):>6.0f}ms {len(queries):>7} {os.getloadavg()[0]:>5.1f}"
            )
    print(
        f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {datetime.now(UTC):%H:%M} UTC"
    )


if __name__ == "__main__":
    main()
