"""`goodwill process-email [--batch 100]`: process stored mail until stopped.

`goodwill smtpd` runs one beside itself (`--processors 1`, the default); run it yourself
next to `goodwill smtpd --processors 0`, for instance on another machine with PostgreSQL.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from goodwill.channels.email.processor import PROCESS_BATCH, die_with_parent, run_processor


class Command(BaseCommand):
    help = "Process stored mail (parse, thread, write) until stopped; smtpd starts one itself."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch", type=int, default=PROCESS_BATCH, help="Messages per transaction (default %(default)s)."
        )
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help="Stop when this process (the smtpd that started this one) is gone.",
        )

    def handle(self, *args: Any, batch: int, parent_pid: int | None, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        if parent_pid is not None:
            die_with_parent()
        run_processor(stop, parent_pid=parent_pid, batch=max(1, batch))
