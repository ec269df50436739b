from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.data.backup import BackupFailed, restore


class Command(BaseCommand):
    help = "Restore a `goodwill backup` directory onto a fresh data dir (and empty database): goodwill restore DIR"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore(Path(options["directory"]))
        except BackupFailed as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps({"database": result["database"], "files": result["files"]}))
