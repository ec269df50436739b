"""Task leases on both backends: a task whose worker died runs again once its lease expires.

Database backend (django-tasks-db): a `TaskLease` row per running task, renewed by the
worker's heartbeat thread. `reclaim_expired_tasks` puts RUNNING tasks without a live
lease back to READY (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, one UPDATE on
SQLite, so several workers may run it at once).

RQ: the work horse keeps a Redis key `goodwill:lease:<job id>` alive while it runs the
job. `reclaim_abandoned_jobs` puts STARTED jobs of the started registry whose key has
lapsed back on their queue. RQ's own abandoned-job cleanup waits at least 60 s past the
last heartbeat and then fails the job; this does it within one lease and retries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus

from goodwill.core.models import TaskLease

logger = logging.getLogger("goodwill.tasks")

# After this many reclaims a task is treated as poison (it kills its worker) and fails.
MAX_RECLAIMS = 5
RQ_LEASE_KEY = "goodwill:lease:{}"


def lease_seconds() -> float:
    return float(getattr(settings, "TASK_LEASE_SECONDS", 60))


# --- database backend -------------------------------------------------------


def take_lease(task_id: Any, worker_id: str) -> None:
    TaskLease.objects.update_or_create(
        task_id=task_id,
        defaults={"worker_id": worker_id, "expires_at": timezone.now() + timedelta(seconds=lease_seconds())},
    )


def renew_lease(task_id: Any, worker_id: str) -> None:
    """Renew the lease of a task, or of each task of a list (a worker running a batch)."""
    ids = task_id if isinstance(task_id, list) else [task_id]
    TaskLease.objects.filter(task_id__in=ids, worker_id=worker_id).update(
        expires_at=timezone.now() + timedelta(seconds=lease_seconds())
    )


def drop_lease(*task_ids: Any) -> None:
    TaskLease.objects.filter(task_id__in=task_ids).delete()


def release_task(task_id: Any) -> None:
    """Give a claimed task back to the queue (a stopping worker that will not run it)."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY
    )
    drop_lease(task_id)


def expired_running_tasks() -> Any:
    """RUNNING database tasks whose lease expired, or that never got one within a lease."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    live = TaskLease.objects.filter(task_id=OuterRef("id"), expires_at__gte=now)
    any_lease = TaskLease.objects.filter(task_id=OuterRef("id"))
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(
        ~Exists(live) & (Exists(any_lease) | Q(started_at__lt=now - timedelta(seconds=lease_seconds())))
    )


def reclaim_expired_tasks(limit: int = 100) -> list[str]:
    """Make tasks of dead workers runnable again; returns their task paths (for the log and counts)."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        expired = expired_running_tasks().order_by()
        if connection.vendor == "postgresql":
            rows = list(
                expired.select_for_update(skip_locked=True).values_list("id", "task_path", "worker_ids")[
                    :limit
                ]
            )
        else:
            # SQLite writes one at a time (IMMEDIATE transactions): nobody else can claim meanwhile.
            rows = list(expired.values_list("id", "task_path", "worker_ids")[:limit])
        if not rows:
            return []
        poison = [row[0] for row in rows if len(row[2] or []) >= MAX_RECLAIMS + 1]
        runnable = [row[0] for row in rows if row[0] not in poison]
        DBTaskResult.objects.filter(id__in=runnable).update(status=TaskResultStatus.READY)
        DBTaskResult.objects.filter(id__in=poison).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path="goodwill.core.leases.AbandonedTooOften",
            traceback=f"Its worker died {MAX_RECLAIMS + 1} times while running it.",
        )
        TaskLease.objects.filter(task_id__in=[row[0] for row in rows]).delete()
    for task_id, path, workers in rows:
        if task_id in poison:
            logger.error("task %s (%s) failed: its worker died %d times", task_id, path, len(workers))
        else:
            logger.warning(
                "reclaimed task %s (%s) from dead worker %s", task_id, path, (workers or ["?"])[-1]
            )
    return [path for task_id, path, _ in rows if task_id not in poison]


def forget_stale_leases() -> None:
    """Leases left by a worker that finished its task and died before dropping the lease."""
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(id=OuterRef("task_id"), status=TaskResultStatus.RUNNING)
    TaskLease.objects.filter(expires_at__lt=timezone.now()).filter(~Exists(running)).delete()


# --- RQ -----------------------------------------------------------------------


@contextmanager
def rq_lease(job_id: str) -> Iterator[None]:
    """Hold `goodwill:lease:<job id>` in Redis while the block runs (renewed by a thread)."""
    import django_rq

    redis = django_rq.get_connection("default")
    key = RQ_LEASE_KEY.format(job_id)
    ttl = max(1, round(lease_seconds()))
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(max(0.2, lease_seconds() / 4)):
            try:
                redis.set(key, "1", ex=ttl)
            except Exception:
                logger.exception("could not renew the lease of job %s", job_id)

    redis.set(key, "1", ex=ttl)
    thread = threading.Thread(target=renew, name=f"lease-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
        redis.delete(key)


def reclaim_abandoned_jobs(limit: int = 100) -> list[str]:
    """Put STARTED RQ jobs whose lease lapsed back on their queue; returns their function names."""
    import django_rq
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry
    from rq.utils import now as rq_now

    reclaimed: list[str] = []
    for name in settings.RQ_QUEUES:
        queue = django_rq.get_queue(name)
        registry = queue.started_job_registry
        redis = queue.connection
        for job_id, _execution in registry.get_job_and_execution_ids(end=limit, cleanup=False):
            if redis.exists(RQ_LEASE_KEY.format(job_id)):
                continue
            job = queue.fetch_job(job_id)
            if job is None:
                continue
            if job.get_status() != JobStatus.STARTED:
                continue
            started = job.started_at
            if started is not None and (rq_now() - started).total_seconds() < lease_seconds():
                continue  # the horse may not have taken its lease yet
            reclaims = int(job.meta.get("goodwill_reclaims", 0)) + 1
            job.meta["goodwill_reclaims"] = reclaims
            job.save_meta()
            with redis.pipeline() as pipe:
                registry.remove_executions(job, pipeline=pipe)
                pipe.zrem(registry.key, job_id)
                pipe.execute()
            if reclaims > MAX_RECLAIMS:
                job.set_status(JobStatus.FAILED)
                FailedJobRegistry(queue=queue).add(job, exc_string=f"Its worker died {reclaims} times.")
                logger.error("job %s (%s) failed: its worker died %d times", job_id, job.func_name, reclaims)
                continue
            job.started_at = None
            queue.enqueue_job(job)
            logger.warning(
                "reclaimed job %s (%s) from a dead worker (reclaim %d)", job_id, job.func_name, reclaims
            )
            reclaimed.append(str(job.func_name))
    return reclaimed
