"""`goodwill churn-watch [--dry-run]`: rebuild the silent-churn watch now (what the daily job does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from goodwill.churn.watch import compute_watch, rebuild_watch


class Command(BaseCommand):
    help = "Rebuild the silent-churn watch list now; --dry-run prints what it would list and saves nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compute and print; change nothing.")
        parser.add_argument("--show", type=int, default=10, help="How many top rows to print (default 10).")

    def handle(self, *args: Any, dry_run: bool, show: int, **options: Any) -> None:
        now = timezone.now()
        if dry_run:
            result = compute_watch(now)
            entries, seen, seconds = result.entries, result.customers_seen, result.seconds
        else:
            run = rebuild_watch(now, trigger="command")
            from goodwill.churn.models import ChurnEntry

            entries = list(ChurnEntry.objects.order_by("rank")[:show])
            seen, seconds = run.customers_seen, run.seconds
            listed = run.listed
        listed = len(entries) if dry_run else listed
        verb = "would list" if dry_run else "listed"
        self.stdout.write(f"{verb} {listed} of {seen} customers in {seconds:.2f} s")
        for entry in entries[:show]:
            value = f"{entry.value}" if entry.value is not None else "no value"
            self.stdout.write(f"  {entry.rank}. customer {entry.customer_id} ({value}): {entry.reason}")
