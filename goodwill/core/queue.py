"""What the task queue holds, per task kind, on either backend; and whether workers keep up.

Read by the admin ("Workers and queue") and by /healthz/worker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Max, Min, Sum, When
from django.utils import timezone

from goodwill.core.leases import RQ_LEASE_KEY, expired_running_tasks, lease_seconds
from goodwill.core.models import Delivery, WorkerBeat

# The RQ figures look at this many jobs per list at most: a view, not an accounting.
RQ_SAMPLE = 2000


@dataclass
class KindStats:
    """Tasks of one kind: counts, and ages in seconds (None when there are none)."""

    kind: str
    queued: int = 0
    deferred: int = 0
    running: int = 0
    stuck: int = 0
    failed: int = 0
    oldest_queued: float | None = None
    oldest_running: float | None = None
    last_failed: float | None = None


def _age(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def _kind(path: str) -> str:
    return path.removeprefix("goodwill.")


def _oldest(current: float | None, new: float | None) -> float | None:
    if new is None:
        return current
    return new if current is None else max(current, new)


def _database_stats(now: datetime) -> dict[str, KindStats]:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    stats: dict[str, KindStats] = {}

    def get(path: str) -> KindStats:
        return stats.setdefault(_kind(path), KindStats(_kind(path)))

    due = DBTaskResult.objects.ready().annotate(
        waiting_since=Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    )
    for row in due.order_by().values("task_path").annotate(n=Count("id"), oldest=Min("waiting_since")):
        item = get(row["task_path"])
        item.queued, item.oldest_queued = row["n"], _age(row["oldest"], now)
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by()
    for path, count in ready.values_list("task_path").annotate(n=Count("id")):
        get(path).deferred = count - get(path).queued
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by()
    for row in running.values("task_path").annotate(n=Count("id"), oldest=Min("started_at")):
        item = get(row["task_path"])
        item.running, item.oldest_running = row["n"], _age(row["oldest"], now)
    for path, count in expired_running_tasks().order_by().values_list("task_path").annotate(n=Count("id")):
        get(path).stuck = count
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by()
    for path, count, last in failed.values_list("task_path").annotate(n=Count("id"), last=Max("finished_at")):
        item = get(path)
        item.failed, item.last_failed = count, _age(last, now)
    return stats


def _rq_stats(now: datetime) -> dict[str, KindStats]:
    import django_rq
    from rq.job import Job

    stats: dict[str, KindStats] = {}

    def get(job: Job) -> KindStats:
        kind = _kind(str(job.func_name))
        return stats.setdefault(kind, KindStats(kind))

    for name in settings.RQ_QUEUES:
        queue = django_rq.get_queue(name)
        redis = queue.connection
        for job in Job.fetch_many(queue.get_job_ids(0, RQ_SAMPLE - 1), connection=redis):
            if job is not None:
                item = get(job)
                item.queued += 1
                item.oldest_queued = _oldest(item.oldest_queued, _age(job.enqueued_at, now))
        started_ids = queue.started_job_registry.get_job_ids(0, RQ_SAMPLE - 1, cleanup=False)
        for job in Job.fetch_many(started_ids, connection=redis):
            if job is not None:
                item = get(job)
                item.running += 1
                age = _age(job.started_at, now)
                item.oldest_running = _oldest(item.oldest_running, age)
                if not redis.exists(RQ_LEASE_KEY.format(job.id)) and (age or 0) > lease_seconds():
                    item.stuck += 1
        for job in Job.fetch_many(
            queue.scheduled_job_registry.get_job_ids(0, RQ_SAMPLE - 1), connection=redis
        ):
            if job is not None:
                get(job).deferred += 1
        for job in Job.fetch_many(queue.failed_job_registry.get_job_ids(0, RQ_SAMPLE - 1), connection=redis):
            if job is not None:
                item = get(job)
                item.failed += 1
                last = _age(job.ended_at, now)
                if last is not None and (item.last_failed is None or last < item.last_failed):
                    item.last_failed = last
    return stats


def task_stats() -> list[KindStats]:
    """Queued (due), deferred (retries waiting), running, stuck (lease expired) and failed tasks by kind."""
    now = timezone.now()
    stats = _rq_stats(now) if settings.REDIS_URL else _database_stats(now)
    return sorted(stats.values(), key=lambda item: item.kind)


def oldest_waiting_since() -> datetime | None:
    """When the task at the head of the queue was enqueued (None: nothing waits)."""
    if settings.REDIS_URL:
        import django_rq

        oldest = None
        for name in settings.RQ_QUEUES:
            queue = django_rq.get_queue(name)
            head = queue.get_job_ids(0, 1)  # offset, length
            job = queue.fetch_job(head[0]) if head else None
            if job is not None and job.enqueued_at is not None:
                oldest = job.enqueued_at if oldest is None else min(oldest, job.enqueued_at)
        return oldest
    from django_tasks_db.models import DBTaskResult, get_date_max

    return DBTaskResult.objects.ready().filter(run_after=get_date_max()).aggregate(t=Min("enqueued_at"))["t"]


def live_workers() -> list[WorkerBeat]:
    """Workers whose heartbeat is younger than one lease."""
    since = timezone.now() - timedelta(seconds=max(10.0, lease_seconds()))
    return list(WorkerBeat.objects.filter(seen_at__gte=since).order_by("started_at"))


def delivery_stats() -> dict[str, int]:
    """Outgoing sends by state, plus how many were resent (outcome unknown) or swept."""
    counts = dict(Delivery.objects.order_by().values_list("state").annotate(n=Count("id")))
    sums = Delivery.objects.aggregate(resends=Sum("resends"), sweeps=Sum("sweeps"))
    stuck = Delivery.objects.filter(state=Delivery.State.SENDING, lease_until__lt=timezone.now()).count()
    return {
        **{state: counts.get(state, 0) for state in Delivery.State.values},
        "stuck": stuck,
        "resends": sums["resends"] or 0,
        "sweeps": sums["sweeps"] or 0,
    }


def worker_health() -> tuple[bool, dict[str, Any]]:
    """(healthy, JSON body): unhealthy when no worker is alive or the oldest due task waits too long."""
    workers = live_workers()
    stats = task_stats()
    oldest = max((item.oldest_queued for item in stats if item.oldest_queued is not None), default=None)
    body: dict[str, Any] = {
        "status": "ok",
        "workers": len(workers),
        "queued": sum(item.queued for item in stats),
        "running": sum(item.running for item in stats),
        "stuck": sum(item.stuck for item in stats),
        "oldest_queued_seconds": None if oldest is None else round(oldest, 1),
    }
    limit = float(getattr(settings, "QUEUE_MAX_AGE", 300))
    if not workers:
        body.update(status="error", reason="no worker is running (none has sent a heartbeat recently)")
    elif oldest is not None and oldest > limit:
        body.update(
            status="error",
            reason=f"the queue is backed up: the oldest task has waited {oldest:.0f} s (limit {limit:.0f} s)",
        )
    return body["status"] == "ok", body


def stats_as_dicts() -> list[dict[str, Any]]:
    return [asdict(item) for item in task_stats()]
