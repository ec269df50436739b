from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.data.importers.base import ImportFailed
from goodwill.data.importers.generic import mbox_messages
from goodwill.data.importers.sources import SOURCES
from goodwill.data.importers.writer import run_import
from goodwill.data.instance import InstanceImportFailed, import_instance


class Command(BaseCommand):
    help = (
        "goodwill import FILE: load a `goodwill export` JSON-lines file into an empty instance. "
        "goodwill import --from zendesk|freshdesk|helpscout|csv|mbox PATH: import another help desk's export "
        "(idempotent and resumable; prints a JSON report of counts and skipped items)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "target", help="A file written by `goodwill export`; with --from, the export's directory or file."
        )
        parser.add_argument("--from", dest="source", choices=[*SOURCES, "mbox"])

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        target = options["target"]
        if source is None:
            try:
                counts = import_instance(Path(target))
            except InstanceImportFailed as error:
                raise CommandError(str(error)) from None
            self.stdout.write(json.dumps({"imported": counts}))
            return
        if source == "mbox":
            self._mbox(Path(target))
            return
        try:
            report = run_import(SOURCES[source](target))
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        self.stdout.write(json.dumps(report.as_dict()))

    def _mbox(self, path: Path) -> None:
        from goodwill.channels.email.intake import ingest_many

        if not path.exists():
            raise CommandError(f"Nothing was imported: {path}: no such file or directory.")
        files = sorted(path.glob("*.mbox")) if path.is_dir() else [path]
        for item in files:
            with item.open("rb") as handle:
                if not handle.read(5) == b"From ":
                    raise CommandError(
                        f"Nothing was imported: {item.name} is not an mbox file (no 'From ' line)."
                    )
        summary = ingest_many(mbox_messages(path))
        self.stdout.write(json.dumps({"source": "mbox", "imported": summary.as_dict(), "skipped": []}))
