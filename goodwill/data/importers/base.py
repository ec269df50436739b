"""What every importer produces: plain records the writer turns into Goodwill rows.

A source reads one vendor's export and yields organisations, people (customers and
agents) and conversations with their messages in order. It raises `ImportFailed` with a
clear message (file, record, what is wrong) on anything it cannot read; the writer reads
the whole export once before writing, so a broken file changes nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils.dateparse import parse_datetime


class ImportFailed(Exception):
    """The export cannot be read; nothing was imported."""


@dataclass
class Org:
    ext: str
    name: str
    domains: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass
class Person:
    ext: str
    email: str
    name: str = ""
    phone: str = ""
    org: str = ""
    is_agent: bool = False
    role: str = "agent"
    time_zone: str = ""
    language: str = ""


@dataclass
class Attach:
    filename: str
    content_type: str = "application/octet-stream"
    path: Path | None = None  # the file inside the export, when it is there


@dataclass
class Msg:
    ext: str
    author: str  # a Person.ext, or "" when unknown
    public: bool
    text: str
    html: str = ""
    created_at: datetime | None = None
    message_id: str = ""
    attachments: list[Attach] = field(default_factory=list)


@dataclass
class Conv:
    ext: str
    subject: str
    status: str
    requester: str
    priority: int = 2
    assignee: str = ""
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    channel: str = "email"
    messages: list[Msg] = field(default_factory=list)
    skip_reason: str = ""  # set by a source for records it reads but will not import (spam, deleted)


class Source(ABC):
    """One help desk's export; each importer says how to read its conversations."""

    name = ""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise ImportFailed(f"{self.path}: no such file or directory.")

    def organisations(self) -> Iterator[Org]:
        return iter(())

    def people(self) -> Iterator[Person]:
        return iter(())

    @abstractmethod
    def conversations(self) -> Iterator[Conv]: ...


# --- helpers for sources --------------------------------------------------------------------


def when(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ImportFailed(f"{where}: a date must be text, not {value!r}.")
    parsed = parse_datetime(value.replace(" UTC", "Z"))
    if parsed is None:
        raise ImportFailed(f"{where}: {value!r} is not a date and time.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def records(path: Path, wrapper: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Objects of a JSON export file: a JSON array, an API page `{"<wrapper>": [...]}`, or
    newline-delimited JSON (one object a line, as Zendesk's full export writes). Yields
    (where, object) with `where` naming file and line or position for error messages."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        head = handle.read(1024).lstrip()
    first = head[:1]
    if first == b"[" or (first == b"{" and _is_single_document(path)):
        try:
            data = json.loads(path.read_bytes())
        except ValueError as error:
            raise ImportFailed(f"{path.name}: not valid JSON ({error}).") from None
        if isinstance(data, dict):
            inner = data.get(wrapper, (data.get("_embedded") or {}).get(wrapper))
            data = [data] if inner is None and "id" in data else inner
        if not isinstance(data, list):
            raise ImportFailed(f"{path.name}: expected a list of {wrapper}.")
        for index, item in enumerate(data, 1):
            if not isinstance(item, dict):
                raise ImportFailed(f"{path.name}, {wrapper} #{index}: expected an object.")
            yield f"{path.name}, {wrapper} #{index}", item
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as error:
                raise ImportFailed(f"{path.name}, line {number}: not valid JSON ({error}).") from None
            if not isinstance(item, dict):
                raise ImportFailed(f"{path.name}, line {number}: expected an object.")
            yield f"{path.name}, line {number}", item


def _is_single_document(path: Path) -> bool:
    """A file starting with "{" is newline-delimited JSON when its first line is a whole object."""
    with path.open("rb") as handle:
        first = handle.readline()
        rest = handle.read(1).strip()
    if not rest:
        return True
    try:
        json.loads(first)
    except ValueError:
        return True
    return False


def need(item: dict[str, Any], key: str, where: str) -> Any:
    if item.get(key) in (None, ""):
        raise ImportFailed(f"{where}: missing {key!r}.")
    return item[key]


def text_id(value: Any) -> str:
    return "" if value is None else str(value)


def safe_name(value: Any) -> str:
    """A file name from an export, without any directory part (no escaping the export)."""
    name = Path(str(value or "")).name
    return name if name not in ("", ".", "..") else "attachment"
