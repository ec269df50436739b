"""The database worker runs waiting tasks of one batch-capable subscriber together.

A message received on its own is one `run_subscriber` task carrying one event, so a busy
subscriber pays a claim, a receipt transaction and a task update per message. When the
worker claims such a task and the subscriber offers a batch form (`handler.batch`, see
`core.events`), it also claims up to `settings.TASK_BATCH_LIMIT - 1` other ready tasks of
the same subscriber and gives all their events to the batch form at once:

- **claim**: one more claim transaction, like django-tasks-db's own: `SELECT … FOR UPDATE
  SKIP LOCKED` on PostgreSQL (rows another worker is claiming are skipped), an EXCLUSIVE
  transaction on SQLite (nobody else claims meanwhile). The claimed tasks turn RUNNING and
  get their leases in that transaction, so no other worker takes them.
- **run**: the receipts of every event, the handler's writes, the tasks turning SUCCESSFUL and
  their leases going away are one transaction (`core.events.apply_batch`). A crash before
  its commit leaves every task RUNNING with a lease that expires, and the sweeper makes them
  READY again; receipts make a repeated event a no-op.
- **fallback**: when the batch form fails, each task runs on its own as it would have, with
  its own retries.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from goodwill.core.bulk import insert_rows
from goodwill.core.events import apply_batch
from goodwill.core.leases import lease_seconds
from goodwill.core.models import TaskLease

logger = logging.getLogger("goodwill.tasks")

RUN_SUBSCRIBER = "goodwill.core.events.run_subscriber"


def batch_limit() -> int:
    """Tasks a worker runs as one batch at most (1: no batching)."""
    return max(1, int(getattr(settings, "TASK_BATCH_LIMIT", 100)))


def batch_subscriber(task: DBTaskResult) -> str | None:
    """The subscriber path of a `run_subscriber` task whose handler has a batch form, else None."""
    if task.task_path != RUN_SUBSCRIBER:
        return None
    args = (task.args_kwargs or {}).get("args") or []
    if not args or not isinstance(args[0], str):
        return None
    try:
        handler = import_string(args[0])
    except ImportError:
        return None
    return args[0] if callable(getattr(handler, "batch", None)) else None


def claim_companions(first: DBTaskResult, path: str, worker_id: str, limit: int) -> list[DBTaskResult]:
    """Claim up to `limit` other ready tasks of the subscriber at `path`, oldest first, and
    lease them and `first` (claimed already by the worker's loop) in one transaction."""
    now = timezone.now()
    with exclusive_transaction(DBTaskResult.objects.db):
        tasks = _claim_ready(first, path, worker_id, limit, now) if limit > 0 else []
        expires = now + timedelta(seconds=lease_seconds())
        # One statement for all the leases; a lease left on `first` is taken over, as take_lease does.
        insert_rows(
            TaskLease,
            [{"task_id": task.id, "worker_id": worker_id, "expires_at": expires} for task in (first, *tasks)],
            unique_fields=("task_id",),
            update_fields=("worker_id", "expires_at"),
        )
    return tasks


def _claim_ready(first: DBTaskResult, path: str, worker_id: str, limit: int, now: Any) -> list[DBTaskResult]:
    ready = (
        DBTaskResult.objects.ready()
        .filter(backend_name=first.backend_name, task_path=RUN_SUBSCRIBER, args_kwargs__args__0=path)
        .exclude(id=first.id)
    )
    if connection.vendor == "postgresql":
        ready = ready.select_for_update(skip_locked=True)
    tasks = list(ready[:limit])
    # One UPDATE for the tasks never claimed before (nearly all); one each for the others.
    fresh = [task.id for task in tasks if not task.worker_ids]
    if fresh:
        DBTaskResult.objects.filter(id__in=fresh).update(
            status=TaskResultStatus.RUNNING, started_at=now, worker_ids=[worker_id]
        )
    for task in tasks:
        if task.worker_ids:
            task.claim(worker_id)  # appends to the workers that ran it before
    return tasks


def run_as_batch(path: str, tasks: list[DBTaskResult]) -> bool:
    """Run the events of all `tasks` through the batch form; True when they are all done."""
    ids = [task.id for task in tasks]

    def finish() -> None:
        DBTaskResult.objects.filter(id__in=ids, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.SUCCESSFUL,
            finished_at=timezone.now(),
            return_value=None,
            exception_class_path="",
            traceback="",
        )
        TaskLease.objects.filter(task_id__in=ids).delete()

    event_ids: list[Any] = [pk for task in tasks for pk in task.args_kwargs["args"][1]]
    if not apply_batch(path, event_ids, also=finish):
        return False
    logger.info("ran %d tasks of %s as one batch (%d events)", len(tasks), path, len(set(event_ids)))
    return True
