"""`core.bulk.insert_rows`: one INSERT for many rows (on PostgreSQL as one JSON document),
storing exactly what `bulk_create` stores."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from goodwill.core.bulk import insert_rows
from goodwill.core.models import Event, EventReceipt, TaskLease
from goodwill.core.services import record_event

pytestmark = pytest.mark.django_db

AWKWARD = ['It\'s "broken" \\ again', "naïve café ☕ — 𝄞", "", "line\nbreak\ttab", "%s %(x)s {}"]


def events(count: int) -> list[Event]:
    return [record_event(Event.Kind.CUSTOMER_CHANGED, after={"n": n}) for n in range(count)]


def stored(model: Any, **filters: Any) -> list[tuple[Any, ...]]:
    fields = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    return sorted(model.objects.filter(**filters).values_list(*fields))


def test_it_stores_what_bulk_create_stores() -> None:
    at = timezone.now().replace(microsecond=123456)
    rows = [
        {
            "kind": Event.Kind.CUSTOMER_CHANGED,
            "subject_id": text[:40],
            "before": None,
            "after": {"text": text, "n": n / 7, "at": [n, None]},
            "created_at": at + timedelta(days=n, microseconds=n),
        }
        for n, text in enumerate(AWKWARD)
    ]
    insert_rows(Event, [{**row, "subject_type": "rows"} for row in rows])
    Event.objects.bulk_create([Event(**row, subject_type="orm") for row in rows])
    by_rows = stored(Event, subject_type="rows")
    by_orm = stored(Event, subject_type="orm")
    assert len(by_rows) == len(AWKWARD)
    assert by_rows == [tuple("rows" if value == "orm" else value for value in row) for row in by_orm]


def test_json_columns_keep_their_values(django_assert_num_queries: Any) -> None:
    at = timezone.now()
    values = [{"n": 1.5, "nested": {"list": [1, None, True]}, "text": text} for text in AWKWARD]
    rows = [
        {
            "kind": Event.Kind.CUSTOMER_CHANGED,
            "before": value,
            "after": [value, -0.1234567890123],
            "subject_type": "",
            "subject_id": "",
            "created_at": at,
        }
        for value in values
    ]
    with django_assert_num_queries(1):
        insert_rows(Event, rows)
    assert [(e.before, e.after, e.created_at) for e in Event.objects.order_by("id")] == [
        (row["before"], row["after"], at) for row in rows
    ]


def test_an_upsert_replaces_the_columns_it_names_and_adds_the_new_rows(
    django_assert_num_queries: Any,
) -> None:
    old, new = uuid.uuid4(), uuid.uuid4()
    soon = timezone.now() + timedelta(seconds=60)
    TaskLease.objects.create(task_id=old, worker_id="dead-worker", expires_at=soon - timedelta(seconds=90))
    with django_assert_num_queries(1):
        insert_rows(
            TaskLease,
            [
                {"task_id": task_id, "worker_id": "worker-2", "expires_at": soon}
                for task_id in (old, *(uuid.uuid4() for _ in range(30)), new)
            ],
            unique_fields=("task_id",),
            update_fields=("worker_id", "expires_at"),
        )
    assert TaskLease.objects.count() == 32
    assert set(TaskLease.objects.values_list("worker_id", "expires_at")) == {("worker-2", soon)}
    assert TaskLease.objects.filter(task_id__in=[old, new]).count() == 2


def test_values_json_cannot_carry_go_through_the_orm() -> None:
    task_id, at = uuid.uuid4(), timezone.now()
    insert_rows(TaskLease, [{"task_id": task_id, "worker_id": Decimal("1.50"), "expires_at": at}])
    assert stored(TaskLease) == [(task_id, "1.50", at)]


def test_a_duplicate_raises_as_bulk_create_does() -> None:
    from django.db import IntegrityError, transaction

    event = events(1)[0]
    row = {"subscriber": "s", "event_id": event.pk, "created_at": timezone.now()}
    insert_rows(EventReceipt, [row])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(EventReceipt, [row])
