"""Periodic jobs: the worker's clock (registry in goodwill/schedules.py).

Each worker's maintenance thread calls `enqueue_due_jobs()` every beat. Claiming is a
conditional UPDATE (`next_run_at <= now` → `now + interval`), so of several workers exactly
one wins each due run and enqueues `run_periodic_job`; the job itself runs as an ordinary task
(leases and reclaim apply). A job that fails logs its error on its row and runs again at its
next interval: periodic jobs are idempotent sweeps ("every target past due and not yet
escalated"), so a missed run is caught up by the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from goodwill.core.models import PeriodicJob

logger = logging.getLogger("goodwill.tasks")

_override: Mapping[str, tuple[str, int]] | None = None


def registered_jobs() -> Mapping[str, tuple[str, int]]:
    """Name → (dotted path, interval seconds): `goodwill.schedules.PERIODIC`, unless overridden."""
    if _override is not None:
        return _override
    from goodwill.schedules import PERIODIC  # project configuration, read lazily

    return PERIODIC


def override_jobs(mapping: Mapping[str, tuple[str, int]] | None) -> None:
    """Tests: replace the registry (None restores it)."""
    global _override
    _override = mapping


def claim_due(now: datetime | None = None) -> list[str]:
    """Claim every job due at `now` (at most one claimer per run); returns the names claimed."""
    now = now or timezone.now()
    jobs = registered_jobs()
    if not jobs:
        return []
    known = set(PeriodicJob.objects.filter(name__in=list(jobs)).values_list("name", flat=True))
    for name in jobs.keys() - known:
        PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    claimed = []
    due = PeriodicJob.objects.filter(name__in=list(jobs), next_run_at__lte=now).values_list("name", "next_run_at")
    for name, next_run_at in due:
        interval = timedelta(seconds=jobs[name][1])
        won = PeriodicJob.objects.filter(name=name, next_run_at=next_run_at).update(
            next_run_at=now + interval, last_started_at=now
        )
        if won:
            claimed.append(name)
    return claimed


def enqueue_due_jobs(now: datetime | None = None) -> list[str]:
    """The maintenance thread's call: claim due jobs and hand each to the task queue."""
    claimed = claim_due(now)
    for name in claimed:
        transaction.on_commit(partial(run_periodic_job.enqueue, name))
    return claimed


def run_job(name: str, now: datetime | None = None) -> str:
    """Run one job now, in this process, and record the outcome on its row."""
    path, _interval = registered_jobs()[name]
    job: Callable[[datetime], str | None] = import_string(path)
    now = now or timezone.now()
    PeriodicJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
    try:
        result = job(now) or ""
    except Exception as error:
        PeriodicJob.objects.filter(name=name).update(last_error=f"{type(error).__name__}: {error}"[:2000])
        raise
    PeriodicJob.objects.filter(name=name).update(
        last_finished_at=timezone.now(), last_result=str(result)[:2000], last_error="", runs=F("runs") + 1
    )
    if result:
        logger.info("periodic %s: %s", name, result)
    return str(result)


@task()
def run_periodic_job(name: str) -> None:
    if name not in registered_jobs():
        logger.warning("periodic job %s is no longer registered; skipped", name)
        return
    try:
        run_job(name)
    except Exception:
        logger.exception("periodic job %s failed; it runs again at its next interval", name)
