"""Services every app uses: the audit trail and counters."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from goodwill.core.events import announce, announce_many
from goodwill.core.models import Counter, Event


def record_event(
    kind: str,
    *,
    actor: Any = None,
    customer: Any = None,
    conversation: Any = None,
    subject: models.Model | None = None,
    before: Any = None,
    after: Any = None,
    at: Any = None,
) -> Event:
    """Append one audit event and announce it to its subscribers once the transaction commits
    (see core/events.py). Call inside the transaction that made the change."""
    if customer is None and conversation is not None:
        customer = conversation.customer_id and conversation.customer
    event = Event.objects.create(
        kind=kind,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        customer=customer or None,
        conversation=conversation,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        before=before,
        after=after,
        created_at=at or timezone.now(),
    )
    announce(event)
    return event


def record_events(events: list[Event]) -> list[Event]:
    """Append unsaved events in one statement and announce them, like `record_event`."""
    saved = Event.objects.bulk_create(events)
    announce_many(saved)
    return saved


_TAKE_NEXT = 'UPDATE "core_counter" SET "value" = "value" + 1 WHERE "name" = %s RETURNING "value"'


def next_value(name: str) -> int:
    """Take the next number from counter `name`, safely under concurrent writers.

    One statement, `UPDATE … RETURNING`, takes it on PostgreSQL and on SQLite >= 3.35 (where
    Django returns columns from INSERT too); the row is created the first time.
    """
    if connection.vendor in ("postgresql", "sqlite") and connection.features.can_return_columns_from_insert:
        with connection.cursor() as cursor:
            cursor.execute(_TAKE_NEXT, [name])
            row = cursor.fetchone()
        if row is not None:
            return row[0]
    with transaction.atomic():
        updated = Counter.objects.filter(name=name).update(value=F("value") + 1)
        if not updated:
            Counter.objects.get_or_create(name=name, defaults={"value": 0})
            Counter.objects.filter(name=name).update(value=F("value") + 1)
        return Counter.objects.get(name=name).value


def raise_counter_to(name: str, value: int) -> None:
    """Make sure the counter is at least `value` (after bulk imports)."""
    with transaction.atomic():
        counter, _ = Counter.objects.get_or_create(name=name, defaults={"value": value})
        if counter.value < value:
            Counter.objects.filter(name=name).update(value=value)
