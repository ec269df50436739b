"""`goodwill fetchmail [--once]`: pull the IMAP mailboxes admins configured."""

from __future__ import annotations

import json
import signal
from typing import Any

from django.core.management.base import BaseCommand

from goodwill.channels.email.fetchmail import Fetcher


class Command(BaseCommand):
    help = "Fetch mail from the configured IMAP mailboxes (IDLE or polling); --once for a single pass."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="One pass over every mailbox, then exit.")
        parser.add_argument(
            "--interval", type=float, default=60, help="Seconds between polls (without IDLE)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fetcher = Fetcher(poll_interval=options["interval"])
        if options["once"]:
            try:
                summary = fetcher.run_once()
            finally:
                fetcher.close()
            self.stdout.write(json.dumps(summary.as_dict()))
            return
        signal.signal(signal.SIGTERM, lambda *_: fetcher.stopping.set())
        signal.signal(signal.SIGINT, lambda *_: fetcher.stopping.set())
        fetcher.run_forever()
