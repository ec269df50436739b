"""The generic route: a directory of CSV files any help desk (or spreadsheet) can produce,
and mbox files through the email intake.

CSV (UTF-8, header row; README "Your data" lists the columns):
  customers.csv      id, email, name, phone, organisation
  agents.csv         id, email, name                         (optional)
  conversations.csv  id, subject, status, customer_id, assignee_id, priority, tags, created_at, …
                     (any other column becomes a custom field)
  messages.csv       id, conversation_id, author_id, author_type (customer|agent), internal (0|1),
                     body, created_at, message_id, attachments (file paths inside the directory, ";"-separated)
"""

from __future__ import annotations

import csv
import mailbox
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from goodwill.data.importers.base import Attach, Conv, ImportFailed, Msg, Org, Person, Source, safe_name, when

CONVERSATION_COLUMNS = {
    "id",
    "subject",
    "status",
    "customer_id",
    "assignee_id",
    "priority",
    "tags",
    "created_at",
    "updated_at",
}
STATUSES = {"new", "open", "pending", "on_hold", "solved", "closed"}


def _rows(path: Path, required: set[str]) -> Iterator[tuple[str, dict[str, str]]]:
    if not path.exists():
        return
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = required - set(reader.fieldnames or [])
            if missing:
                raise ImportFailed(f"{path.name}: missing column(s) {', '.join(sorted(missing))}.")
            for number, row in enumerate(reader, 2):
                if None in row:
                    raise ImportFailed(f"{path.name}, line {number}: more values than columns.")
                yield (
                    f"{path.name}, line {number}",
                    {key: (value or "").strip() for key, value in row.items()},
                )
    except UnicodeDecodeError as error:
        raise ImportFailed(f"{path.name}: not UTF-8 text ({error}).") from None
    except csv.Error as error:
        raise ImportFailed(f"{path.name}: not a readable CSV file ({error}).") from None


class CsvSource(Source):
    name = "csv"

    def __init__(self, path: Any) -> None:
        super().__init__(path)
        if not (self.path / "conversations.csv").exists():
            raise ImportFailed(f"{self.path}: no conversations.csv.")

    def organisations(self) -> Iterator[Org]:
        seen = set()
        for _where, row in _rows(self.path / "customers.csv", {"id", "email"}):
            name = row.get("organisation", "")
            if name and name not in seen:
                seen.add(name)
                yield Org(ext=name, name=name)

    def people(self) -> Iterator[Person]:
        for where, row in _rows(self.path / "agents.csv", {"id", "email"}):
            if not row["id"]:
                raise ImportFailed(f"{where}: missing id.")
            yield Person(ext="a" + row["id"], email=row["email"], name=row.get("name", ""), is_agent=True)
        for where, row in _rows(self.path / "customers.csv", {"id", "email"}):
            if not row["id"]:
                raise ImportFailed(f"{where}: missing id.")
            yield Person(
                ext="c" + row["id"],
                email=row["email"],
                name=row.get("name", ""),
                phone=row.get("phone", ""),
                org=row.get("organisation", ""),
            )

    def _messages(self) -> dict[str, list[Msg]]:
        found: dict[str, list[Msg]] = defaultdict(list)
        required = {"id", "conversation_id", "author_id", "author_type", "body", "created_at"}
        for where, row in _rows(self.path / "messages.csv", required):
            kind = row["author_type"]
            if kind not in ("customer", "agent"):
                raise ImportFailed(f"{where}: author_type must be customer or agent, not {kind!r}.")
            files = [item for item in row.get("attachments", "").split(";") if item.strip()]
            found[row["conversation_id"]].append(
                Msg(
                    ext=row["id"],
                    author=("c" if kind == "customer" else "a") + row["author_id"],
                    public=row.get("internal", "0") not in ("1", "true", "yes"),
                    text=row["body"],
                    created_at=when(row["created_at"], f"{where} created_at"),
                    message_id=row.get("message_id", ""),
                    attachments=[
                        Attach(filename=safe_name(item), path=self.path / safe_name(item)) for item in files
                    ],
                )
            )
        return found

    def conversations(self) -> Iterator[Conv]:
        messages = self._messages()
        for where, row in _rows(self.path / "conversations.csv", {"id", "subject", "status", "customer_id"}):
            if row["status"] not in STATUSES:
                raise ImportFailed(f"{where}: status must be one of {', '.join(sorted(STATUSES))}.")
            try:
                priority = int(row.get("priority") or 2)
            except ValueError:
                raise ImportFailed(f"{where}: priority must be 1 to 4.") from None
            yield Conv(
                ext=row["id"],
                subject=row["subject"],
                status=row["status"],
                requester="c" + row["customer_id"],
                priority=priority,
                assignee=("a" + row["assignee_id"]) if row.get("assignee_id") else "",
                tags=[tag.strip() for tag in row.get("tags", "").split(";") if tag.strip()],
                custom_fields={
                    key: value for key, value in row.items() if key not in CONVERSATION_COLUMNS and value
                },
                created_at=when(row.get("created_at"), f"{where} created_at"),
                updated_at=when(row.get("updated_at"), f"{where} updated_at"),
                messages=messages.get(row["id"], []),
            )


def mbox_messages(path: Path) -> Iterator[bytes]:
    """Raw messages of an mbox file (or every .mbox file in a directory) for the email intake."""
    files = sorted(path.glob("*.mbox")) if path.is_dir() else [path]
    for item in files:
        box = mailbox.mbox(str(item), create=False)
        try:
            for key in box.iterkeys():
                yield box.get_bytes(key)
        finally:
            box.close()
