"""The worker's scheduler thread: heartbeat, lease renewal, reclaim and the delivery sweep.

Every `goodwill worker` runs one `Maintenance` thread. Each beat it records the worker as
alive (`WorkerBeat`) and renews the lease of the task in hand; every half lease one
worker of the fleet (a cache lock) reclaims tasks of dead workers and runs the sweeps
named in `settings.TASK_SWEEPS`: functions `(cutoff: datetime) -> list[str]` that find work
queued before the cutoff and still not done (a reply
still queued, its broker message lost) and enqueue it again. What they re-enqueue is
logged and counted (`Delivery.sweeps`, `SweepTotals`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import import_string

from goodwill.core.leases import (
    forget_stale_leases,
    lease_seconds,
    reclaim_abandoned_jobs,
    reclaim_expired_tasks,
    renew_lease,
)
from goodwill.core.models import WorkerBeat
from goodwill.core.periodic import enqueue_due_jobs

logger = logging.getLogger("goodwill.tasks")

SWEEP_LOCK = "goodwill:sweep-lock"


def stuck_after() -> timedelta:
    """How long a delivery may stay queued before the sweeper enqueues it again."""
    return timedelta(seconds=float(getattr(settings, "DELIVERY_STUCK_AFTER", 5 * lease_seconds())))


def sweep_cutoff() -> datetime:
    """Work queued before this and still not done lost its task.

    At least `stuck_after` before now and before the oldest task still waiting: the
    queue is first in, first out, so when it is backed up a reply's task may simply not
    have come up yet, and enqueuing it again would only make the backlog longer.
    """
    from goodwill.core.queue import oldest_waiting_since

    grace = stuck_after()
    oldest = oldest_waiting_since()
    # The grace applies to the head too: a task is enqueued when its transaction commits,
    # which under load may be seconds after its row was written.
    return timezone.now() - grace if oldest is None else min(timezone.now(), oldest) - grace


@dataclass
class SweepTotals:
    """What this process reclaimed and re-enqueued since it started, by task kind."""

    reclaimed: Counter[str] = field(default_factory=Counter)
    swept: Counter[str] = field(default_factory=Counter)


def run_sweeps(totals: SweepTotals | None = None, *, force: bool = False) -> SweepTotals:
    """Reclaim dead workers' tasks and re-enqueue stuck deliveries, once per half lease fleet-wide."""
    totals = totals or SweepTotals()
    window = max(1, round(lease_seconds() / 2))
    if not force and not cache.add(SWEEP_LOCK, os.getpid(), timeout=window):
        return totals
    if settings.REDIS_URL:
        totals.reclaimed.update(reclaim_abandoned_jobs())
    else:
        totals.reclaimed.update(reclaim_expired_tasks())
        forget_stale_leases()
    cutoff = sweep_cutoff()
    for path in getattr(settings, "TASK_SWEEPS", []):
        sweep: Callable[[datetime], list[str]] = import_string(path)
        try:
            done = sweep(cutoff)
        except Exception:
            logger.exception("sweep %s failed", path)
            continue
        if done:
            logger.warning("sweep %s re-enqueued %d stuck: %s", path, len(done), ", ".join(done[:20]))
        totals.swept.update(key.split(":", 1)[0] for key in done)
    return totals


class Maintenance(threading.Thread):
    """The heartbeat and sweeper of one worker process (a daemon thread with its own connection)."""

    def __init__(self, worker_id: str, backend: str, *, periodic: bool = True) -> None:
        super().__init__(name="goodwill-maintenance", daemon=True)
        # A `--batch` worker drains the queue and exits: it starts no periodic jobs (cron
        # `goodwill run-periodic` for that set-up).
        self.periodic = periodic
        self.worker_id = worker_id[:64]
        self.backend = backend
        self.current_task: Any = None
        self.current_label = ""
        self.totals = SweepTotals()
        self._stop_event = threading.Event()
        self._started_at = timezone.now()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)

    def run(self) -> None:
        beat = max(0.2, lease_seconds() / 4)
        sweep_every = max(1, round(lease_seconds() / 2 / beat))
        tick = 0
        try:
            while not self._stop_event.is_set():
                close_old_connections()
                try:
                    self.beat()
                    if tick % sweep_every == 0:
                        run_sweeps(self.totals)
                    if self.periodic:
                        enqueue_due_jobs()
                except Exception:
                    logger.exception("worker maintenance failed; trying again next beat")
                tick += 1
                self._stop_event.wait(beat)
        finally:
            try:
                WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
            except Exception:
                logger.exception("could not sign the worker off")
            connection.close()

    def beat(self) -> None:
        now = timezone.now()
        task = self.current_task
        if task is not None:
            renew_lease(task, self.worker_id)
        WorkerBeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "backend": self.backend,
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": self._started_at,
                "seen_at": now,
                "current_task": self.current_label[:200],
            },
        )
