"""Helpers for the SLA tests: a round-the-clock default schedule, a policy, and the worker's
subscriber tasks run in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tasks_db.models import DBTaskResult

from goodwill.core.events import run_subscriber, subscribed
from goodwill.core.testing import migrated_data_dir, postgres_data_dir
from goodwill.expectations.models import Schedule, SlaPolicy

__all__ = ["migrated_data_dir", "postgres_data_dir"]

SLA_ONLY = {
    topic: ("goodwill.expectations.subscribers.follow_conversation",)
    for topic in ("conversation.opened", "message.received", "message.replied", "conversation.status")
}


def run_queued_subscribers() -> int:
    """What the worker would do: run every queued subscriber task once, in order."""
    tasks = list(
        DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by("enqueued_at")
    )
    for task in tasks:
        run_subscriber.call(*task.args_kwargs["args"])
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
    return len(tasks)


@pytest.fixture(autouse=True)
def sla_subscribers() -> Iterator[None]:
    with subscribed(SLA_ONLY):
        yield


@pytest.fixture
def always_open(db) -> Schedule:  # type: ignore[no-untyped-def]
    """Every hour counts, so due times are plain arithmetic."""
    return Schedule.objects.create(
        name="Always",
        time_zone="UTC",
        is_default=True,
        hours={str(day): [["00:00", "00:00"]] for day in range(7)},
    )


@pytest.fixture
def policy(always_open) -> SlaPolicy:  # type: ignore[no-untyped-def]
    return SlaPolicy.objects.create(
        name="Standard",
        position=10,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=24 * 60,
        warn_before_minutes=15,
    )
