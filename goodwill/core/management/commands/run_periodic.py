"""`goodwill run-periodic [NAME ...]`: run periodic jobs now (all when no name), or list them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.core.models import PeriodicJob
from goodwill.core.periodic import registered_jobs, run_job


class Command(BaseCommand):
    help = "Run the worker's periodic jobs now (goodwill/schedules.py); --list shows them and their last run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="Jobs to run (default: all).")
        parser.add_argument("--list", action="store_true", help="List the jobs and their last run; run nothing.")

    def handle(self, *args: Any, names: list[str], list: bool, **options: Any) -> None:  # noqa: A002
        jobs = registered_jobs()
        if list:
            rows = {row.name: row for row in PeriodicJob.objects.filter(name__in=[*jobs])}
            for name, (path, seconds) in sorted(jobs.items()):
                row = rows.get(name)
                last = row.last_finished_at.isoformat() if row and row.last_finished_at else "never"
                self.stdout.write(f"{name}\tevery {seconds}s\t{path}\tlast run: {last}")
            return
        unknown = [name for name in names if name not in jobs]
        if unknown:
            raise CommandError(f"unknown periodic job(s): {', '.join(unknown)}; see --list")
        for name in names or sorted(jobs):
            result = run_job(name)
            self.stdout.write(f"{name}: {result or 'done'}")
