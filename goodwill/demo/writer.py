"""Fast row inserts for the demo generator: executemany on SQLite, COPY on PostgreSQL.

Rows are plain tuples in a fixed column order. Columns the generator does not know
about (fields other apps add later) get their model default, computed once per table,
so a new nullable or defaulted field never breaks seeding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import NOT_PROVIDED

_EPOCH = datetime(1970, 1, 1)


class TimeFormat:
    """Turns whole epoch seconds into the text each backend stores for a datetime column.

    Called millions of times, so the date part is cached per day.
    """

    def __init__(self, vendor: str) -> None:
        suffix = "+00:00" if vendor == "postgresql" else ""
        self.clock = [
            f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}{suffix}"
            for second in range(86400)
        ]
        self.days: dict[int, str] = {}

    def __call__(self, seconds: int | None) -> str | None:
        if seconds is None:
            return None
        day, rest = divmod(seconds, 86400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%d ")
        return prefix + self.clock[rest]


def epoch_seconds(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


class Table:
    """One table to fill: the columns the generator supplies, plus constant defaults for the rest."""

    def __init__(
        self,
        connection: BaseDatabaseWrapper,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        now_text: str,
    ) -> None:
        meta = model._meta
        self.connection = connection
        self.name = meta.db_table
        by_column = {field.column: field for field in meta.concrete_fields}
        unknown = [column for column in columns if column not in by_column]
        if unknown:
            raise ValueError(f"{self.name} has no column(s) {', '.join(unknown)}")
        extra_columns: list[str] = []
        extra_values: list[Any] = []
        for field in meta.concrete_fields:
            if field.column in columns:
                continue
            if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
                continue
            if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue  # The database fills it in.
            extra_columns.append(str(field.column))
            extra_values.append(_constant_default(field, connection, now_text))
        self.columns = [*columns, *extra_columns]
        self.extra = tuple(extra_values)

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> int:
        extra = self.extra
        if extra:
            rows = [row + extra for row in rows]
        elif not isinstance(rows, list):
            rows = list(rows)
        if not rows:
            return 0
        quote = self.connection.ops.quote_name
        column_list = ", ".join(quote(column) for column in self.columns)
        if self.connection.vendor == "sqlite":
            marks = ", ".join("?" * len(self.columns))
            raw = self.connection.connection
            raw.executemany(f"INSERT INTO {quote(self.name)} ({column_list}) VALUES ({marks})", rows)  # noqa: S608 (names from model meta)
        elif self.connection.vendor == "postgresql":
            copy_sql = f"COPY {quote(self.name)} ({column_list}) FROM STDIN"
            with self.connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with self.connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {quote(self.name)} ({column_list}) VALUES ({marks})", rows)  # noqa: S608 (names from model meta)
        return len(rows)


def _constant_default(field: models.Field, connection: BaseDatabaseWrapper, now_text: str) -> Any:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return now_text
    if field.has_default():
        value = field.get_default()
    elif field.null:
        return None
    elif field.blank and isinstance(field, models.CharField | models.TextField):
        return ""
    else:
        raise ValueError(f"Cannot seed {field.model.__name__}.{field.name}: no default and not null")
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return field.get_db_prep_save(value, connection)


def reset_sequences(connection: BaseDatabaseWrapper, model_list: Sequence[type[models.Model]]) -> None:
    """After inserting explicit ids, move PostgreSQL's identity sequences past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def sqlite_indexes_deferred(
    connection: BaseDatabaseWrapper, model_list: Sequence[type[models.Model]]
) -> Iterator[None]:
    """Drop the tables' secondary indexes for a bulk load and build them again after it.

    Building an index once from sorted rows is far cheaper than updating a dozen
    B-trees per inserted row. Meant for empty tables: while the block runs, queries
    from other processes on these tables would scan.
    """
    if connection.vendor != "sqlite":
        yield
        return
    tables = [model._meta.db_table for model in model_list]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({marks}) ORDER BY name",
            tables,
        )
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in saved:
                cursor.execute(sql)


@contextmanager
def postgresql_load_prepared(
    connection: BaseDatabaseWrapper, model_list: Sequence[type[models.Model]]
) -> Iterator[None]:
    """PostgreSQL's counterpart: drop the tables' plain indexes and foreign keys for a bulk load.

    COPY then only appends rows. Each index is built once from all rows afterwards, and
    each foreign key is checked by one join when it is added back, instead of a B-tree
    update per index and a trigger per key for every row. Unique and primary keys stay.
    Meant for empty tables, like `sqlite_indexes_deferred`.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in model_list]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Checks still queued in a surrounding transaction would block ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid) FROM pg_constraint co "
            "JOIN pg_class cl ON cl.oid = co.conrelid "
            "WHERE co.contype = 'f' AND cl.relname = ANY(%s) AND cl.relnamespace = current_schema()::regnamespace "
            "ORDER BY 1, 2",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid "
            "WHERE tc.relname = ANY(%s) AND tc.relnamespace = current_schema()::regnamespace "
            "AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid) "
            "ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute("RESET maintenance_work_mem")
