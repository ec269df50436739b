from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from goodwill.data.instance import export_instance


class Command(BaseCommand):
    help = "Export the whole instance as JSON lines (database-neutral): goodwill export -o FILE"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument("--no-files", action="store_true", help="Leave out attachments and raw mail.")

    def handle(self, *args: Any, **options: Any) -> None:
        with open(options["output"], "w", encoding="utf-8") as out:
            counts = export_instance(out, files=not options["no_files"])
        self.stdout.write(json.dumps({"file": options["output"], **counts}))
