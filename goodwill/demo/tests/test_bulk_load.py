"""The seeder drops indexes and foreign keys for its bulk load: it must put every one back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from goodwill.conversations.models import Conversation, Message

TABLES = [
    "customers_organisation",
    "customers_customer",
    "customers_identity",
    "conversations_conversation",
    "conversations_conversation_tags",
    "conversations_message",
    "core_event",
]


def indexes_and_foreign_keys() -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Names and columns: a partial index's condition comes back spelled differently
            # (ARRAY['a'::varchar]::text[] turns into ARRAY['a'::varchar::text]), same meaning.
            cursor.execute(
                "SELECT tablename, indexname, split_part(indexdef, ' WHERE ', 1) FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = ANY(%s)",
                [TABLES],
            )
            found = {("index", *row) for row in cursor.fetchall()}
            cursor.execute(
                "SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid) FROM pg_constraint co "
                "JOIN pg_class cl ON cl.oid = co.conrelid WHERE co.contype = 'f' AND cl.relname = ANY(%s)",
                [TABLES],
            )
            return found | {("foreign key", *row) for row in cursor.fetchall()}
        marks = ", ".join(["%s"] * len(TABLES))
        cursor.execute(
            f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})",  # noqa: S608
            TABLES,
        )
        return {("index", *row) for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_seeding_puts_back_every_index_and_foreign_key_it_dropped_for_the_load():
    before = indexes_and_foreign_keys()
    assert any(name == "msg_conv_time" for _kind, _table, name, _sql in before)
    call_command("seed_demo", conversations=80, seed=5, now="2026-03-01", batch_size=30, stdout=StringIO())
    assert Message.objects.filter(conversation__in=Conversation.objects.all()).count() > 80
    assert indexes_and_foreign_keys() == before
