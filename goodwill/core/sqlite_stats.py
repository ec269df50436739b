"""Planner statistics on SQLite survive table rebuilds.

SQLite cannot add a NOT NULL column with a default (or change most constraints) in place, so
Django's migrations rebuild the table: a new one is made, the rows copied, the old one dropped.
Its `ANALYZE` statistics go with the old table, and at a million conversations a planner without
them picks a wrong index: the tag filter took 3.1 s instead of 14 ms after the conversations table
was rebuilt. After `migrate`, every table that has rows but lost its statistics is analysed again
(`analysis_limit` 1,000 rows an index, as the demo seeder does: milliseconds a table).

Only on a database that was analysed before (`sqlite_stat1` exists): one never analysed keeps
planning as it always has.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


def restore_statistics(connection: BaseDatabaseWrapper) -> list[str]:
    """ANALYZE the tables with rows and no statistics; the names of those analysed."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return []
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN (SELECT DISTINCT tbl FROM sqlite_stat1) "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        )
        missing = [row[0] for row in cursor.fetchall()]
        analysed = []
        cursor.execute("PRAGMA analysis_limit = 1000")
        for table in missing:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")  # noqa: S608 - a name from sqlite_master
            if cursor.fetchone() is None:
                continue  # empty: nothing to plan with
            cursor.execute(f"ANALYZE {quoted}")
            analysed.append(table)
    return analysed


def restore_after_migrate(using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    restore_statistics(connections[using])
