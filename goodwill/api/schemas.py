"""Shapes of what the API reads and writes. Inputs are strict: unknown keys and bad values are a 422."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# Largest value a 64-bit signed integer column holds; bigger ids cannot exist.
MAX_ID = 2**63 - 1


def _clean_text(value: str) -> str:
    """Reject what no database column stores: NUL characters and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.")
    return value


def _clean_json(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        raise ValueError("Nested too deeply.")
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Numbers must be finite.")
    if isinstance(value, list):
        return [_clean_json(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_clean_text(str(key)): _clean_json(item, depth + 1) for key, item in value.items()}
    return value


def _clean_datetime(value: datetime) -> datetime:
    """Naive times are UTC; times that overflow when moved to UTC are refused."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Date out of range.")


_Clean = AfterValidator(_clean_text)
Str12 = Annotated[str, StringConstraints(max_length=12), _Clean]
Str20 = Annotated[str, StringConstraints(max_length=20), _Clean]
Str40 = Annotated[str, StringConstraints(max_length=40), _Clean]
Str60 = Annotated[str, StringConstraints(max_length=60), _Clean]
Str64 = Annotated[str, StringConstraints(max_length=64), _Clean]
Str100 = Annotated[str, StringConstraints(max_length=100), _Clean]
Str200 = Annotated[str, StringConstraints(max_length=200), _Clean]
Str254 = Annotated[str, StringConstraints(max_length=254), _Clean]
Str300 = Annotated[str, StringConstraints(max_length=300), _Clean]
# Message bodies and notes: large, but bounded so one request cannot fill the disk.
LongText = Annotated[str, StringConstraints(max_length=1_000_000), _Clean]


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_clean_json)]
Moment = Annotated[datetime, AfterValidator(_clean_datetime)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


T = TypeVar("T")


class Output(BaseModel):
    """What the API answers. Plain pydantic: endpoints hand over dicts, so ninja's
    attribute-resolving Schema machinery would only cost time on every nested object."""


class Page(Output, Generic[T]):
    items: list[T]
    next: str | None = Field(None, description="Cursor for the next page; null on the last page.")


class Error(Output):
    detail: Any = Field(..., description="What went wrong: a message, a field → message map, or a list.")


# --- small references used inside bigger objects -----------------------------------


class AgentRef(Output):
    id: int
    name: str
    email: str


class TeamRef(Output):
    id: int
    name: str


class NeedRef(Output):
    id: int
    name: str


class OrganisationRef(Output):
    id: int
    name: str


class CustomerRef(Output):
    id: int
    name: str
    email: str
