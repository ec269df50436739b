"""`goodwill themes [--k auto|N] < answers.jsonl`: group interview answers into themes (CONTRACTS.md).

Reads one JSON object a line (`{"id", "text"}`) and prints one JSON object
`{"themes": [{"name", "ids", "quotes"}], "unassigned": [ids]}`, the grouping campaigns use.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.voice.themes import group_answers


class Command(BaseCommand):
    help = "Group interview answers (JSON lines on stdin: {id, text}) into themes; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", default="auto", help='How many themes: "auto" (default) or a number.')

    def handle(self, *args: Any, k: str, **options: Any) -> None:
        if k != "auto" and not (k.isdigit() and int(k) >= 1):
            raise CommandError('--k must be "auto" or a whole number of at least 1')
        items: list[tuple[str, str]] = []
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                items.append((str(row["id"]), str(row["text"])))
            except (ValueError, KeyError, TypeError):
                raise CommandError(f"line {number}: expected a JSON object with \"id\" and \"text\"") from None
        grouping = group_answers(items, k=None if k == "auto" else int(k))
        self.stdout.write(json.dumps(grouping.as_json(), ensure_ascii=False))
