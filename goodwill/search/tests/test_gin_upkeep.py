"""PostgreSQL: new rows go straight into the GIN indexes, and the statistics list more lexemes."""

from __future__ import annotations

import pytest
from django.db import connection

from goodwill.conversations.services import open_conversation, receive_message
from goodwill.search import schema
from goodwill.search.selectors import search_for

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")


def _one(sql: str, params: list[str]) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_the_gin_indexes_keep_no_pending_list(db):
    for name in schema.PG_INDEXES:
        assert "fastupdate=off" in _one("SELECT reloptions::text FROM pg_class WHERE relname = %s", [name])
        assert _one("SELECT gin_clean_pending_list(%s::regclass)", [name]) == 0  # pages it had to merge


def test_the_message_vectors_keep_statistics_on_more_lexemes(db):
    target = _one(
        "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'conversations_message'::regclass "
        "AND attname = %s",
        ["search_vector"],
    )
    assert target == schema.PG_STATISTICS


def test_a_new_message_is_in_the_index_at_once(agent, customer):
    conversation = open_conversation(customer=customer, subject="Lamp", channel="email", text="hello")[0]
    message = receive_message(conversation, customer=customer, text="the quillfeather lamp flickers")
    assert _one("SELECT gin_clean_pending_list(%s::regclass)", ["search_message_tsv"]) == 0
    assert [hit.pk for hit in search_for(agent, "quillfeather", kind="messages").messages.hits] == [
        message.pk
    ]
