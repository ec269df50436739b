"""`goodwill rebuild-insights`: recompute the dashboards' summary tables from the stored rows."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from goodwill.insights import rollup


class Command(BaseCommand):
    help = (
        "Recompute the insights summaries (daily figures) from conversations, messages, SLA clocks and "
        "mood scores: after an upgrade or an import. Idempotent; safe while the worker runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk", type=int, default=rollup.CHUNK, help="Conversations per batch.")

    def handle(self, *args: Any, chunk: int, **options: Any) -> None:
        started = time.perf_counter()
        shown = {"at": 0.0}
        terminal = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if terminal and (now - shown["at"] > 1 or done == total):
                shown["at"] = now
                self.stderr.write(f"\r{done:,} of {total:,} conversations", ending="")

        rows = rollup.rebuild(progress=progress, chunk=chunk)
        if terminal:
            self.stderr.write("")
        self.stdout.write(
            f"{rows:,} daily rows from the stored conversations in {time.perf_counter() - started:.1f} s"
        )
