from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.data.backup import BackupFailed, backup


class Command(BaseCommand):
    help = "Back up the database (consistent snapshot) and the data dir into a new directory: goodwill backup -o DIR"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(Path(options["output"]))
        except BackupFailed as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            json.dumps(
                {
                    "directory": options["output"],
                    "database": manifest["database"],
                    "rows": rows,
                    "files": manifest["files"],
                }
            )
        )
