"""Many rows in one INSERT, on PostgreSQL without model instances or per-value field work.

`bulk_create` prepares every value through its field (`get_db_prep_save`), and on PostgreSQL
psycopg then dumps each column as an array, in Python: ~65 µs of worker CPU a row for a
message score's 15 columns, the largest cost per message of the scoring worker after the
engine. `insert_rows` sends the rows as one JSON document that PostgreSQL spreads over the
columns' types (`json_to_recordset`): ~12 µs a row, the same statement otherwise.

Rows are dicts keyed by field attname (`message_id`, not `message`), with every column to
write. JSON columns take their Python value; date-times go as ISO text (exact to the
microsecond), UUIDs as text, floats as their shortest exact repr. Other databases, and rows JSON cannot
carry exactly (NaN, infinity, values the default encoder does not know), go through
`bulk_create` as before, so the stored rows are the same either way.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from typing import Any, cast
from uuid import UUID

from django.db import connections, models


def insert_rows(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    unique_fields: tuple[str, ...] = (),
    update_fields: tuple[str, ...] = (),
    using: str = "default",
) -> None:
    """INSERT `rows` into `model`'s table in one statement. With `update_fields`, a row whose
    `unique_fields` exist already updates those columns instead (ON CONFLICT … DO UPDATE)."""
    if not rows:
        return
    connection = connections[using]
    document = _document(rows) if connection.vendor == "postgresql" else None
    if document is None:
        model._default_manager.db_manager(using).bulk_create(
            [model(**row) for row in rows],
            update_conflicts=bool(update_fields),
            unique_fields=list(unique_fields) or None,
            update_fields=list(update_fields) or None,
        )
        return
    sql = _statement(model, tuple(rows[0]), unique_fields, update_fields, using)
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])


def _document(rows: list[dict[str, Any]]) -> str | None:
    try:
        return json.dumps(rows, allow_nan=False, default=_iso)
    except (TypeError, ValueError):
        return None  # not exactly expressible in JSON: the ORM writes these rows


def _iso(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not written by insert_rows")


@cache
def _statement(
    model: type[models.Model],
    attnames: tuple[str, ...],
    unique_fields: tuple[str, ...],
    update_fields: tuple[str, ...],
    using: str,
) -> str:
    connection = connections[using]
    meta = model._meta
    quote = connection.ops.quote_name
    field = {
        name: cast(models.Field, meta.get_field(name)) for name in (*attnames, *unique_fields, *update_fields)
    }
    column = {name: quote(str(field[name].column)) for name in field}
    # The document's keys are attnames; the record gives each its column's type.
    record = ", ".join(f"{quote(name)} {field[name].db_type(connection)}" for name in attnames)
    # Only quoted identifiers and column types of the model go into the text; the rows are a parameter.
    columns = ", ".join(column[name] for name in attnames)
    keys = ", ".join(quote(name) for name in attnames)
    source = f"json_to_recordset(%s::json) AS row({record})"
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {keys} FROM {source}"  # noqa: S608
    if update_fields:
        target = ", ".join(column[name] for name in unique_fields)
        changes = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in update_fields)
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {changes}"
    return sql
