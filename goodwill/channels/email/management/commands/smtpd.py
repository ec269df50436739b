"""`goodwill smtpd [--host 127.0.0.1] [--port 2525] [--processors 1]`: SMTP intake for a mail server to relay to.

With `--processors 1` (the default) a `goodwill process-email` child processes what this
process stores, on another core; it is restarted if it dies and stops with this process.
`--processors 0` processes in this process between batches (one core), or leaves it to a
`goodwill process-email` you run yourself.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from goodwill.channels.email.smtpd import DEFAULT_MAX_BYTES, IntakeServer


class Command(BaseCommand):
    help = "Receive mail over SMTP; answers 250 only after the raw message is committed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)
        parser.add_argument(
            "--max-size", type=int, default=DEFAULT_MAX_BYTES, help="Largest message in bytes (larger: 552)."
        )
        parser.add_argument(
            "--processors",
            type=int,
            choices=(0, 1),
            default=1,
            help="1: process stored mail in a child process (another core); 0: in this process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        server = IntakeServer(
            options["host"], options["port"], max_bytes=options["max_size"], processors=options["processors"]
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            server.start()
            self.stdout.write(
                f"Goodwill SMTP intake listening on {options['host']}:{options['port']}", ending="\n"
            )
            self.stdout.flush()
            while not stop.wait(1):
                if not server.check():
                    self.stderr.write("the database thread stopped; exiting")
                    break
        finally:
            server.stop()
