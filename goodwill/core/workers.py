"""Worker classes behind `goodwill worker`: leased tasks and a bounded clean stop.

SIGTERM: the task in hand finishes (at most `stop_timeout` seconds), nothing new starts,
and a task claimed but not started goes back to the queue. A second SIGTERM, the stop
bound, or SIGKILL end the process at once; the lease brings its task back.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_rq.backend import Job as TasksJob
from rq.worker import SimpleWorker

from goodwill.core.batching import batch_limit, batch_subscriber, claim_companions, run_as_batch
from goodwill.core.leases import drop_lease, release_task, rq_lease, take_lease
from goodwill.core.sweeper import Maintenance

logger = logging.getLogger("goodwill.tasks")


def _release_all(task_ids: list[Any]) -> None:
    for task_id in task_ids:
        release_task(task_id)


def _release_and_exit(task_ids: list[Any]) -> None:
    """End now, first giving the tasks in hand back (from a fresh thread: the main one may be mid-query)."""
    if task_ids:
        releaser = threading.Thread(target=_release_all, args=(list(task_ids),), daemon=True)
        releaser.start()
        releaser.join(timeout=5)
        logger.warning(
            "worker stopped in the middle of tasks %s; back in the queue", ", ".join(map(str, task_ids))
        )
    os._exit(1)


class LeasedDatabaseWorker(DBWorker):
    """django-tasks-db's worker with a lease per task and a bounded, clean stop."""

    def __init__(self, *, maintenance: Maintenance, stop_timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.maintenance = maintenance
        self.stop_timeout = stop_timeout
        self.current_task_ids: list[Any] = []

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.warning("second %s: stopping now", signal.strsignal(signum))
            _release_and_exit(self.current_task_ids)
        logger.warning(
            "%s: shutting down gracefully, finishing the task in hand (at most %.0f s)",
            signal.strsignal(signum),
            self.stop_timeout,
        )
        self.running = False
        if self.running_task:
            timer = threading.Timer(self.stop_timeout, lambda: _release_and_exit(self.current_task_ids))
            timer.daemon = True
            timer.start()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        task_id = db_task_result.id
        if not self.running:
            # Claimed just as the stop came: not started, so it goes back.
            release_task(task_id)
            return
        tasks = [db_task_result]
        path = batch_subscriber(db_task_result)
        if path is not None and batch_limit() > 1:
            # The first task's lease is written in the companions' claim transaction.
            tasks += claim_companions(db_task_result, path, self.worker_id, batch_limit() - 1)
        else:
            take_lease(task_id, self.worker_id)
        leases_left = True
        self.current_task_ids = [task.id for task in tasks]
        self.maintenance.current_task = list(self.current_task_ids)
        self.maintenance.current_label = db_task_result.task_path
        try:
            if path is not None and len(tasks) > 1:
                self.running_task = True  # a stop now waits for the batch (bounded by stop_timeout)
                try:
                    done = run_as_batch(path, tasks)
                finally:
                    self.running_task = False
                if done:  # the batch's commit marked the tasks done and dropped their leases
                    self._run_tasks += len(tasks)
                    leases_left = False
                    return
            for task in tasks:
                if not self.running and task is not db_task_result:
                    release_task(task.id)  # stopping: the rest of the batch goes back
                    continue
                super().run_task(task)
        finally:
            self.maintenance.current_task = None
            self.maintenance.current_label = ""
            self.current_task_ids = []
            if leases_left:
                drop_lease(*[task.id for task in tasks])


class LeasedJob(TasksJob):
    """django-tasks-rq's job, holding a Redis lease while the work horse runs it."""

    def perform(self) -> Any:
        with rq_lease(self.id):
            return super().perform()


class StoppingRQWorker(SimpleWorker):
    """RQ's worker running jobs in its own process, with a bound on the warm stop.

    Not RQ's forking worker: forking a process that runs the maintenance thread (database
    and Redis clients with locks) can leave the child stuck on a lock held at the fork, and
    `kill -9` of the worker would leave a work horse running on. Here a killed worker
    takes its job with it and the lease brings the job back.
    """

    stop_timeout: float = 30.0

    def execute_job(self, job: Any, queue: Any) -> Any:
        close_old_connections()
        try:
            return super().execute_job(job, queue)
        finally:
            close_old_connections()

    def request_stop(self, signum: Any, frame: Any) -> None:
        # A second signal (this timer's) takes RQ's cold path; the lease brings the job back.
        timer = threading.Timer(self.stop_timeout, os.kill, args=(os.getpid(), signal.SIGTERM))
        timer.daemon = True
        timer.start()
        super().request_stop(signum, frame)
