"""`goodwill worker`: runs background tasks until stopped. Several may run at once.

Each task runs under a lease (core.leases) and every worker runs the maintenance
thread (core.sweeper): heartbeat, reclaim of dead workers' tasks, stuck-delivery sweep.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Run background tasks (database queue by default, RQ on Redis when GOODWILL_REDIS_URL is set)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Exit when the queue is empty (starts no periodic jobs)."
        )
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=30.0,
            help="On SIGTERM, seconds the task in hand may take before the worker stops anyway.",
        )

    def handle(self, *args: Any, batch: bool, interval: float, stop_timeout: float, **options: Any) -> None:
        from goodwill.core.sweeper import Maintenance

        for path in getattr(settings, "WORKER_WARM_UP", ()):  # load models before the first task
            import_string(path)()
        worker_id = get_random_string(32)
        maintenance = Maintenance(worker_id, "rq" if settings.REDIS_URL else "database", periodic=not batch)
        # An in-memory database (the test suite's, shared-cache) has no WAL, and a second
        # connection there takes table locks that do not wait (busy_timeout does not apply), so
        # the threads with their own connection (maintenance, checkpoints) would make the
        # worker's own queries fail with "database table is locked" at random.
        in_memory = settings.IS_SQLITE and connection.is_in_memory_db()  # type: ignore[attr-defined]
        if not in_memory:
            maintenance.start()
        checkpointer = None
        if settings.IS_SQLITE and not in_memory:  # WAL checkpoints off the request path (core.checkpoints)
            from goodwill.core.checkpoints import Checkpointer

            checkpointer = Checkpointer()
            checkpointer.start()
        try:
            if settings.REDIS_URL:
                self.run_rq(batch=batch, stop_timeout=stop_timeout)
            else:
                self.run_database(
                    maintenance,
                    worker_id,
                    batch=batch,
                    interval=interval,
                    stop_timeout=stop_timeout,
                    **options,
                )
        finally:
            if maintenance.is_alive():
                maintenance.stop()
            if checkpointer is not None:
                checkpointer.stop()

    def run_rq(self, *, batch: bool, stop_timeout: float) -> None:
        from goodwill.core.workers import StoppingRQWorker

        StoppingRQWorker.stop_timeout = stop_timeout
        rq_args = ["default", "--with-scheduler"]
        if batch:
            rq_args.append("--burst")
        call_command(
            "rqworker",
            *rq_args,
            job_class="goodwill.core.workers.LeasedJob",
            worker_class="goodwill.core.workers.StoppingRQWorker",
        )

    def run_database(
        self,
        maintenance: Any,
        worker_id: str,
        *,
        batch: bool,
        interval: float,
        stop_timeout: float,
        **options: Any,
    ) -> None:
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS

        from goodwill.core.workers import LeasedDatabaseWorker

        if options.get("verbosity", 1) >= 1:
            logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker = LeasedDatabaseWorker(
            maintenance=maintenance,
            stop_timeout=stop_timeout,
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
