"""Shared helpers: run the seam's queued subscriber tasks as the worker would, make rules."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from goodwill.automation.models import Rule
from goodwill.conversations.services import open_conversation
from goodwill.core.events import run_subscriber
from goodwill.core.testing import migrated_data_dir, postgres_data_dir

__all__ = ["migrated_data_dir", "postgres_data_dir"]


def run_queued_subscribers(capture: Any = None, rounds: int = 20) -> int:
    """Run queued subscriber tasks as the worker would, and the tasks their events queue (each
    round commits like the worker when `capture` is django_capture_on_commit_callbacks);
    returns how many ran."""
    total = 0
    for _round in range(rounds):
        tasks = list(
            DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by(
                "enqueued_at"
            )
        )
        if not tasks:
            break
        DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
        for task in tasks:
            flush_pending_events()
            if capture is None:
                run_subscriber.call(*task.args_kwargs["args"])
            else:
                with capture(execute=True):
                    run_subscriber.call(*task.args_kwargs["args"])
        total += len(tasks)
    return total


def flush_pending_events() -> None:
    """Queue the events fixtures recorded earlier in the test's transaction (customer.created…),
    so the next capture of on-commit callbacks sees a batch of its own (see core/events.py)."""
    from django.db import connection

    batch = getattr(connection, "_goodwill_events", None)
    if batch is not None and not batch.done:
        batch()


def make_rule(
    name: str, *, conditions: list[dict[str, Any]] = (), actions: list[dict[str, Any]] = (), **extra: Any
) -> Rule:  # type: ignore[assignment]
    extra.setdefault("triggers", [Rule.Trigger.CREATED])
    extra.setdefault("is_active", True)
    return Rule.objects.create(name=name, conditions=list(conditions), actions=list(actions), **extra)


@pytest.fixture
def worker(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """`with worker():` commits like the app (announcing events), then runs what was queued."""
    from contextlib import contextmanager

    @contextmanager
    def run():  # type: ignore[no-untyped-def]
        flush_pending_events()
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_queued_subscribers(django_capture_on_commit_callbacks)

    return run


@pytest.fixture
def opened(customer, worker):  # type: ignore[no-untyped-def]
    """Open a conversation as a customer would, and let the worker react."""

    def open_one(
        subject: str = "Where is my order?", text: str = "Hello, my order has not arrived.", **kwargs: Any
    ):  # type: ignore[no-untyped-def]
        with worker():
            conversation, _message = open_conversation(
                customer=customer, subject=subject, channel="email", text=text, **kwargs
            )
        conversation.refresh_from_db()
        return conversation

    return open_one
