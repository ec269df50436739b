"""Fast inserts for the import's big tables: plain `executemany` with ids reserved up front,
instead of the ORM's per-row statement building (which cost most of the import's CPU).

Columns come from the model's `_meta`, so a column another app adds later gets its
default; values the importer sets are passed through as given (datetimes adapted)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, models

# SQL is assembled from table and column names in the models' own metadata only.
# ruff: noqa: S608


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys. Call inside the transaction that inserts them: on SQLite it
    holds the write lock (BEGIN IMMEDIATE); on PostgreSQL the sequence hands them out."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],  # type: ignore[union-attr]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("{model._meta.pk.column}"), 0) FROM "{table}"')  # type: ignore[union-attr]
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        first = max(highest, row[0] if row else 0) + 1
    return list(range(first, first + count))


class Inserter:
    """INSERT rows of one model given as dicts of attribute names → values."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [item for item in model._meta.concrete_fields if not getattr(item, "generated", False)]
        self.defaults: dict[str, Any] = {}
        for item in self.fields:
            if not item.primary_key:
                # Django's own default: the declared one, else "" for text columns, else None.
                self.defaults[item.attname] = item.get_db_prep_save(item.get_default(), connection)
        self.datetimes = {item.attname for item in self.fields if isinstance(item, models.DateTimeField)}
        self.prepared = {item.attname: item for item in self.fields if isinstance(item, models.JSONField)}
        columns = ", ".join(f'"{item.column}"' for item in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})'
        self.ignoring_sql = self.sql + " ON CONFLICT DO NOTHING"  # SQLite and PostgreSQL both

    def _row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        row = []
        for item in self.fields:
            name = item.attname
            if name in values:
                value = values[name]
                if name in self.datetimes and isinstance(value, datetime.datetime):
                    value = connection.ops.adapt_datetimefield_value(value)
                elif name in self.prepared:
                    value = self.prepared[name].get_db_prep_save(value, connection)
                row.append(value)
            else:
                row.append(self.defaults.get(name))
        return tuple(row)

    def insert(self, rows: list[dict[str, Any]], *, ignore_conflicts: bool = False) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                self.ignoring_sql if ignore_conflicts else self.sql, [self._row(row) for row in rows]
            )
