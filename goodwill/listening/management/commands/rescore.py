"""`goodwill rescore [--since DATE]`: read stored customer messages again with the current model."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from goodwill.listening.engine import MODEL_VERSION
from goodwill.listening.services import rescore


def _since(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since wants a date (2026-01-31) or a date-time, not {value!r}.")
        moment = datetime.combine(day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Score stored inbound messages again with the current listening model. Messages already "
        "scored by this model version are skipped, so an interrupted run can simply be restarted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", help="only messages received at or after this date (YYYY-MM-DD) or time"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        since = _since(options["since"]) if options["since"] else None
        terminal = self.stdout.isatty()

        def progress(done: int, total: int) -> None:
            if terminal:
                self.stdout.write(f"\rRescored {done:,} of {total:,} messages", ending="")
                self.stdout.flush()

        report = rescore(since=since, batch_size=max(1, options["batch_size"]), progress=progress)
        if terminal and report.rescored:
            self.stdout.write("")
        rate = report.rescored / report.seconds if report.seconds else 0.0
        self.stdout.write(
            f"Rescored {report.rescored:,} messages with {MODEL_VERSION} in {report.seconds:.1f} s "
            f"({rate:,.0f} messages/s); messages already scored by this version were skipped."
        )
