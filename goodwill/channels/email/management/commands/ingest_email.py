"""`goodwill ingest-email PATH… | -`: .eml files, directories, mbox files or stdin."""

from __future__ import annotations

import json
import mailbox
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from goodwill.channels.email.intake import Summary, ingest_many
from goodwill.channels.email.models import Mailbox, RawEmail


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _mbox_messages(path: Path) -> Iterator[bytes]:
    box = mailbox.mbox(str(path), create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


def _sources(paths: list[str], unreadable: list[str]) -> Iterator[bytes]:
    for item in paths:
        if item == "-":
            yield sys.stdin.buffer.read()
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.exists():
            files = [path]
        else:
            unreadable.append(f"{item}: no such file or directory")
            continue
        for file in files:
            try:
                if _is_mbox(file) and file.suffix.lower() != ".eml":
                    yield from _mbox_messages(file)
                else:
                    yield file.read_bytes()
            except OSError as error:
                unreadable.append(f"{file}: {error}")


class Command(BaseCommand):
    help = "Take in email from .eml files, directories of them, mbox files, or stdin ('-')."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--mailbox", help="Address of the mailbox these messages were sent to.")
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        target = None
        if options.get("mailbox"):
            target = Mailbox.objects.filter(address__iexact=options["mailbox"]).first()
            if target is None:
                raise CommandError(f"No mailbox with address {options['mailbox']}")
        unreadable: list[str] = []
        summary: Summary = ingest_many(
            _sources(options["paths"], unreadable),
            source=RawEmail.Source.FILE,
            mailbox=target,
            batch_size=max(1, options["batch_size"]),
        )
        # A file that could not be read was never stored: it counts as failed.
        summary.failed += len(unreadable)
        for problem in unreadable + summary.errors:
            self.stderr.write(problem)
        self.stdout.write(json.dumps(summary.as_dict()))
        if summary.failed:
            sys.exit(1)
