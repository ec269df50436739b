"""Demo SLA set-up: a default schedule, three policies, and live clocks on every open conversation.

Runs after the bulk load: targets are computed in Python with the real calendar maths and
inserted in batches, then each open conversation's `sla_due_at` is set in one UPDATE. Clocks
already past due count as escalated (a fresh demo does not start with a storm of notices).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction

from goodwill.conversations.models import Conversation
from goodwill.expectations.calendars import BusinessCalendar, calendar_for
from goodwill.expectations.models import Schedule, SlaPolicy, SlaTarget

BATCH = 5000
OPEN = ("new", "open", "pending", "on_hold")


def _policies() -> dict[int, SlaPolicy]:
    if not Schedule.objects.filter(is_default=True).exists():
        Schedule.objects.create(
            name="Office hours (London)",
            time_zone="Europe/London",
            is_default=True,
            hours={str(day): [["08:00", "18:00"]] for day in range(5)},
        )
    urgent, _ = SlaPolicy.objects.get_or_create(
        name="Urgent",
        defaults={
            "position": 10,
            "priority": 4,
            "first_response_minutes": 60,
            "next_response_minutes": 120,
            "resolution_minutes": 8 * 60,
            "raise_priority": False,
        },
    )
    high, _ = SlaPolicy.objects.get_or_create(
        name="High",
        defaults={
            "position": 20,
            "priority": 3,
            "first_response_minutes": 4 * 60,
            "next_response_minutes": 4 * 60,
            "resolution_minutes": 3 * 10 * 60,
        },
    )
    standard, _ = SlaPolicy.objects.get_or_create(
        name="Standard",
        defaults={
            "position": 90,
            "first_response_minutes": 8 * 60,
            "next_response_minutes": 10 * 60,
            "resolution_minutes": 5 * 10 * 60,
            "raise_priority": True,
        },
    )
    return {4: urgent, 3: high, 2: standard, 1: standard}


def _target(
    conversation_id: int,
    policy: SlaPolicy,
    kind: str,
    start: datetime,
    calendar: BusinessCalendar,
    now: datetime,
    paused: bool,
) -> SlaTarget:
    seconds = (policy.minutes_for(kind) or 60) * 60
    due = calendar.add_business_time(start, timedelta(seconds=seconds))
    warn = max(start, calendar.add_business_time(due, -timedelta(minutes=policy.warn_before_minutes)))
    target = SlaTarget(
        conversation_id=conversation_id,
        policy=policy,
        policy_name=policy.name,
        kind=kind,
        target_seconds=seconds,
        started_at=start,
        due_at=due,
        warn_at=warn,
    )
    if paused:
        target.status = SlaTarget.Status.PAUSED
        target.remaining_seconds = int(calendar.business_time_between(now, due).total_seconds())
        target.paused_at, target.due_at, target.warn_at = now, None, None
    else:
        target.warned_at = warn if warn <= now else None
        target.breached_at = due if due <= now else None
    return target


def seed_expectations(*, anchor: int, say: Callable[[str], None] = lambda _text: None) -> int:
    """Policies plus live clocks for the open conversations; returns how many targets it made."""
    if SlaTarget.objects.exists():
        return 0  # seeded before: clocks follow the event seam from here on
    now = datetime.fromtimestamp(anchor, tz=UTC)
    policies = _policies()
    calendars: dict[int | None, BusinessCalendar] = {}
    rows = Conversation.objects.filter(status__in=OPEN).values_list(
        "id", "team_id", "priority", "status", "waiting_since", "first_response_at", "created_at"
    )
    made, batch = 0, []
    for pk, team_id, priority, status, waiting_since, first_response_at, created_at in rows.iterator(
        chunk_size=BATCH
    ):
        calendar = calendars.get(team_id) or calendars.setdefault(team_id, calendar_for(team_id))
        policy = policies.get(priority, policies[2])
        paused = status == Conversation.Status.PENDING
        batch.append(_target(pk, policy, "resolution", created_at, calendar, now, paused))
        if waiting_since is not None and not paused:
            kind = "first_response" if first_response_at is None else "next_response"
            batch.append(_target(pk, policy, kind, waiting_since, calendar, now, False))
        if len(batch) >= BATCH:
            made += _flush(batch)
    made += _flush(batch)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE conversations_conversation SET sla_due_at = (SELECT MIN(t.due_at) FROM expectations_slatarget t "
            "WHERE t.conversation_id = conversations_conversation.id AND t.status = 'running') "
            "WHERE id IN (SELECT conversation_id FROM expectations_slatarget WHERE status = 'running')"
        )
        if connection.vendor == "sqlite":  # statistics for the new index, as finish_load gave the others
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE conversations_conversation")
            cursor.execute("ANALYZE expectations_slatarget")
    say(f"  {made:,} SLA clocks on open conversations")
    return made


def _flush(batch: list[SlaTarget]) -> int:
    count = len(batch)
    if batch:
        SlaTarget.objects.bulk_create(batch, batch_size=1000)
        batch.clear()
    return count
