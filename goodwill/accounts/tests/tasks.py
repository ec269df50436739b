"""Run the tasks a test queued, in the test's own database transaction.

The worker command closes database connections between tasks, which on PostgreSQL
ends the transaction a test runs in; this runs each queued task's function instead.
"""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult


def run_queued_tasks() -> None:
    for row in DBTaskResult.objects.order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
