"""SQLite planner statistics come back after a migration rebuilt a table (core.sqlite_stats)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from goodwill.accounts.models import Team
from goodwill.core.sqlite_stats import restore_statistics

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's ANALYZE statistics"),
]


def _stat_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def _forget(table: str) -> None:
    """What a table rebuild does: the new table has no statistics."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [table])


def test_a_database_never_analysed_is_left_alone():
    Team.objects.create(name="Support", slug="support")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")  # as never analysed (other tests may have)
    assert restore_statistics(connection) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone() is None


def test_a_table_with_rows_that_lost_its_statistics_is_analysed_again_and_empty_ones_are_not():
    Team.objects.create(name="Support", slug="support")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_team")
    assert "accounts_team" in _stat_tables()
    _forget("accounts_team")

    analysed = restore_statistics(connection)

    assert "accounts_team" in analysed
    assert "accounts_team" in _stat_tables()
    assert "promises_promise" not in analysed  # no rows: nothing to plan with
    assert restore_statistics(connection) == []  # nothing missing the second time


def test_migrate_restores_them():
    Team.objects.create(name="Support", slug="support")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_team")
    _forget("accounts_team")
    call_command("migrate", verbosity=0)
    assert "accounts_team" in _stat_tables()
