"""Keeping the search index whole. Everyday changes are indexed by the database itself
(SQLite triggers, PostgreSQL expression indexes); these are for bulk loads and repairs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from goodwill.search import schema


def rebuild_search_index() -> None:
    """Rebuild every search index from the base tables.

    SQLite: empties and refills the FTS5 tables in one pass each, then merges their
    segments. PostgreSQL: the indexes are always current, so this only refreshes the
    planner's statistics.
    """
    with transaction.atomic():
        if connection.vendor == "sqlite":
            schema.create(connection)
        schema.rebuild(connection)


@contextmanager
def search_sync_paused() -> Iterator[None]:
    """For bulk loads: skip per-row index upkeep inside the block, rebuild once after it.

    Only the loading process should write while it is active, as rows written by
    others meanwhile are indexed by the closing rebuild too.
    """
    if connection.vendor != "sqlite":
        yield
        rebuild_search_index()
        return
    schema.drop_sqlite_triggers(connection)
    try:
        yield
    finally:
        with transaction.atomic():
            schema.create(connection)
            schema.rebuild(connection)
