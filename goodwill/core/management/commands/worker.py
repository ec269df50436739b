"""`goodwill worker`: runs background tasks until stopped. Several may run at once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background tasks (database queue by default, RQ on Redis when GOODWILL_REDIS_URL is set)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args: Any, batch: bool, interval: float, **options: Any) -> None:
        if settings.REDIS_URL:
            rq_args = ["default", "--with-scheduler"]
            if batch:
                rq_args.append("--burst")
            call_command("rqworker", *rq_args, job_class="django_tasks_rq.Job")
            return
        worker_args = ["--queue-name", "*", "--interval", str(interval)]
        if batch:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, verbosity=options.get("verbosity", 1))
