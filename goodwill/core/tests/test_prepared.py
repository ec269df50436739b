"""Prepared queries give what the ORM gives, in one query, whatever the arguments."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from goodwill.conversations.models import Conversation
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.models import Event
from goodwill.core.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def by_ids(ids: list[int]):  # type: ignore[no-untyped-def]
    return (
        Conversation.objects.filter(pk__in=ids)
        .exclude(status=Conversation.Status.SOLVED)
        .order_by("pk")
        .values_list("pk", "number", "last_message_at", "subject")
    )


def test_rows_match_the_orm_for_any_number_of_ids() -> None:
    conversations = [make_conversation(subject=f"Question {n}") for n in range(4)]
    ids = [c.pk for c in conversations]
    prepared = PreparedQuery(by_ids)

    for chosen in (ids, ids[:1], ids[1:3], [ids[2], 10**9], ids):
        rows = prepared.rows(chosen)
        assert rows == list(by_ids(chosen))
    assert isinstance(rows[0][2], datetime) and rows[0][2].tzinfo is not None


def test_it_runs_one_query_and_none_for_no_ids() -> None:
    conversation = make_conversation()
    prepared = PreparedQuery(by_ids)
    prepared.rows([conversation.pk])

    with CaptureQueriesContext(connection) as captured:
        assert prepared.rows([conversation.pk])[0][0] == conversation.pk
        assert prepared.rows([]) == []
    assert len(captured.captured_queries) == 1


def test_single_numbers_bind_like_lists() -> None:
    conversation = make_conversation()
    other = make_conversation()
    prepared = PreparedQuery(
        lambda pk, number: (
            Event.objects.filter(conversation_id=pk)
            .exclude(conversation__number=number)
            .values_list("conversation_id")
        )
    )
    assert (
        prepared.rows(conversation.pk, other.number)
        == [(conversation.pk,)] * Event.objects.filter(conversation=conversation).count()
    )
    assert prepared.rows(conversation.pk, conversation.number) == []


def test_a_query_whose_sql_drops_a_value_goes_through_the_orm() -> None:
    conversation = make_conversation()
    # `Q(pk__in=ids) | Q(pk__in=ids)` repeats each stand-in: binding by position is not safe.
    prepared = PreparedQuery(
        lambda ids: Conversation.objects.filter(Q(pk__in=ids) | Q(number__in=ids)).values_list("pk")
    )
    assert prepared.rows([conversation.pk]) == [(conversation.pk,)]
    assert prepared._compiled[(1,)] is None
