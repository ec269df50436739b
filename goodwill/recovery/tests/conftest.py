"""Recovery tests: the worker's subscriber tasks run in-process, with only the handlers a test names."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from goodwill.conversations.models import Conversation
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import run_subscriber

RECOVERY = "goodwill.recovery.subscribers."


def commit() -> None:
    """Run the hooks a commit would run (the seam queues subscriber tasks there): the test's
    transaction never commits."""
    connection = transaction.get_connection()
    while connection.run_on_commit:
        hooks, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, hook, _robust in hooks:
            hook()


def run_queued_subscribers() -> list[list]:
    """What the worker does after a commit: run every queued subscriber task once, in order."""
    commit()
    tasks = list(
        DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by("enqueued_at")
    )
    for task in tasks:
        run_subscriber.call(*task.args_kwargs["args"])
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
    return [task.args_kwargs["args"] for task in tasks]


def run_twice() -> list[list]:
    """Run the queued tasks, then deliver each once more (a retry or a second worker)."""
    ran = run_queued_subscribers()
    for args in ran:
        run_subscriber.call(*args)
    return ran


@pytest.fixture
def conversation(customer, support_team, agent) -> Conversation:  # type: ignore[no-untyped-def]
    return make_conversation(
        customer=customer, team=support_team, assignee=agent, subject="Router keeps dropping"
    )
