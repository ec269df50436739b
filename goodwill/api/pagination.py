"""Keyset pagination with opaque cursors: no OFFSET, no COUNT(*), stable under inserts.

A cursor is base64url of JSON `[resource, sort value, id]` taken from the last row of a page.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from ninja import Query
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from goodwill.api.schemas import MAX_ID

M = TypeVar("M", bound=Model)

DEFAULT_LIMIT = 25
MAX_LIMIT = 100

CursorParam = Annotated[
    Annotated[str, StringConstraints(max_length=500)] | None,
    Query(description="The `next` value of the previous page; leave out for the first page."),
]
LimitParam = Annotated[
    int, Field(ge=1, le=MAX_LIMIT), Query(DEFAULT_LIMIT, description=f"Items per page, 1–{MAX_LIMIT}.")
]


def encode_cursor(resource: str, value: Any, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([resource, value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, resource: str, *, is_datetime: bool) -> tuple[Any, int]:
    """The sort value and id inside a cursor; a 400 when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        kind, value, pk = json.loads(raw)
        if kind != resource or type(pk) is not int or not 1 <= pk <= MAX_ID:
            raise ValueError("foreign cursor")
        if is_datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError("naive time in cursor")
        elif value is not None:
            raise ValueError("unexpected sort value")
    except (ValueError, TypeError, binascii.Error, UnicodeError, RecursionError):
        raise HttpError(400, "Invalid cursor.")
    return value, pk


def keyset_page(
    queryset: QuerySet[M],
    *,
    resource: str,
    cursor: str | None,
    limit: int,
    field: str | None = None,
    descending: bool = False,
) -> tuple[list[M], str | None]:
    """One page ordered by (`field`, id), or by id alone when `field` is None."""
    op = "lt" if descending else "gt"
    if cursor:
        value, pk = decode_cursor(cursor, resource, is_datetime=field is not None)
        if field is None:
            queryset = queryset.filter(**{f"pk__{op}": pk})
        else:
            queryset = queryset.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))
    sign = "-" if descending else ""
    order = [f"{sign}{field}", f"{sign}pk"] if field else [f"{sign}pk"]
    rows = list(queryset.order_by(*order)[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(resource, getattr(last, field) if field else None, last.pk)
