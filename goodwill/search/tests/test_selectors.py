from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    add_note,
    add_reply,
    change_status,
    open_conversation,
    receive_message,
    set_subject,
)
from goodwill.customers.services import create_customer, update_customer
from goodwill.search.query import parse_query
from goodwill.search.selectors import render_snippet, search_for
from goodwill.search.services import rebuild_search_index, search_sync_paused


def _open(customer, subject, text, **kwargs) -> Conversation:
    return open_conversation(customer=customer, subject=subject, channel="email", text=text, **kwargs)[0]


def _marked(snippet: str) -> str:
    return " ".join(re.findall(r"<mark>(.*?)</mark>", snippet))


def _message_ids(results) -> list[int]:
    return [hit.pk for hit in results.messages.hits]


def test_it_finds_a_reply_the_moment_it_is_sent(agent, customer):
    conversation = _open(customer, "Parcel", "Where is my parcel?")
    reply = add_reply(conversation, by=agent, text="Your refund of the purple teapot is on its way.")

    results = search_for(agent, '"purple teapot"', kind="messages")

    assert _message_ids(results) == [reply.pk]
    assert _marked(results.messages.hits[0].snippet) == "purple teapot"


def test_a_phrase_must_match_in_order(agent, customer):
    conversation = _open(customer, "Colours", "the teapot is purple")
    results = search_for(agent, '"purple teapot"', kind="messages")
    assert _message_ids(results) == []
    words = search_for(agent, "purple teapot", kind="messages")
    assert _message_ids(words) == [conversation.messages.get().pk]


def test_it_excludes_words_with_a_minus(agent, customer):
    keep = _open(customer, "A", "broken kettle lid")
    _open(customer, "B", "broken kettle handle")
    results = search_for(agent, "broken kettle -handle", kind="messages")
    assert _message_ids(results) == [keep.messages.get().pk]


def test_it_hides_other_teams_conversations(agent, outsider, customer, billing_team):
    billing = _open(customer, "Invoice", "double charge on my invoice", team=billing_team)
    public = _open(customer, "Invoice question", "a question about an invoice")

    seen_by_agent = search_for(agent, "invoice")
    seen_by_outsider = search_for(outsider, "invoice")

    assert [hit.pk for hit in seen_by_agent.conversations.hits] == [public.pk]
    assert _message_ids(seen_by_agent) == [public.messages.get().pk]
    assert {hit.pk for hit in seen_by_outsider.conversations.hits} == {public.pk, billing.pk}


def test_admins_see_restricted_conversations(admin, customer, billing_team):
    billing = _open(customer, "Invoice", "double charge", team=billing_team)
    assert [hit.pk for hit in search_for(admin, "double").messages.hits] == [billing.messages.get().pk]


def test_it_finds_internal_notes_for_agents(agent, light_agent, customer):
    conversation = _open(customer, "Help", "hello")
    note = add_note(conversation, by=agent, text="Customer prefers a callback on Fridays")
    assert _message_ids(search_for(light_agent, "callback fridays")) == [note.pk]


def test_it_finds_customers_by_name_and_email_prefix(agent, customer):
    other = create_customer(name="Zed Zimmer", emails=["zed@elsewhere.test"])

    by_name = search_for(agent, "carla", kind="customers")
    by_email = search_for(agent, "zed@else", kind="customers")

    assert [hit.pk for hit in by_name.customers.hits] == [customer.pk]
    assert [hit.pk for hit in by_email.customers.hits] == [other.pk]
    assert "<mark>Carla</mark>" in by_name.customers.hits[0].snippet


def test_the_index_follows_renames_and_edits(agent, customer):
    conversation = _open(customer, "Old subject", "text")
    set_subject(conversation, "Shiny new subject", by=agent)
    update_customer(customer, by=agent, name="Carlotta Client")
    message = conversation.messages.get()
    Message.objects.filter(pk=message.pk).update(new_text="rewritten words", text="rewritten words")

    assert search_for(agent, "old", kind="conversations").conversations.hits == []
    assert [hit.pk for hit in search_for(agent, "shiny", kind="conversations").conversations.hits] == [
        conversation.pk
    ]
    assert [hit.pk for hit in search_for(agent, "carlotta", kind="customers").customers.hits] == [customer.pk]
    assert _message_ids(search_for(agent, "rewritten")) == [message.pk]
    Message.objects.filter(pk=message.pk).delete()
    assert _message_ids(search_for(agent, "rewritten")) == []


def test_it_filters_by_status_channel_and_date(agent, customer):
    old_time = timezone.now() - timedelta(days=30)
    solved = _open(customer, "Router one", "router blinking", at=old_time)
    change_status(solved, Conversation.Status.SOLVED, by=agent)
    phone = open_conversation(customer=customer, subject="Router two", channel="phone", text="router dead")[0]

    by_status = search_for(agent, "router", kind="messages", statuses=["solved"])
    by_channel = search_for(agent, "router", kind="messages", channel="phone")
    recent = search_for(agent, "router", kind="messages", since=timezone.now() - timedelta(days=1))
    older = search_for(agent, "router", kind="conversations", until=timezone.now() - timedelta(days=1))

    assert _message_ids(by_status) == [solved.messages.get().pk]
    assert _message_ids(by_channel) == [phone.messages.get().pk]
    assert _message_ids(recent) == [phone.messages.get().pk]
    assert [hit.pk for hit in older.conversations.hits] == [solved.pk]


def test_date_order_pages_newest_first_with_a_cursor(agent, customer):
    conversation = _open(customer, "Many", "widget 0")
    ids = [conversation.messages.get().pk]
    for number in range(1, 5):
        ids.append(receive_message(conversation, customer=customer, text=f"widget {number}").pk)

    first = search_for(agent, "widget", kind="messages", order="date", limit=2)
    second = search_for(agent, "widget", kind="messages", order="date", limit=2, cursor=first.messages.next_cursor)
    third = search_for(agent, "widget", kind="messages", order="date", limit=2, cursor=second.messages.next_cursor)

    assert _message_ids(first) + _message_ids(second) + _message_ids(third) == sorted(ids, reverse=True)
    assert third.messages.next_cursor is None


def test_relevance_order_puts_the_denser_match_first(agent, customer):
    conversation = _open(customer, "Ranking", "A long message that mentions the gizmo once among many other words here")
    dense = receive_message(conversation, customer=customer, text="gizmo gizmo gizmo")
    receive_message(conversation, customer=customer, text="nothing relevant")

    results = search_for(agent, "gizmo", kind="messages", order="relevance", limit=1)
    rest = search_for(agent, "gizmo", kind="messages", order="relevance", limit=1, cursor=results.messages.next_cursor)

    assert _message_ids(results) == [dense.pk]
    assert _message_ids(rest) == [conversation.messages.order_by("id").first().pk]
    assert rest.messages.next_cursor is None


def test_a_kind_may_be_named_in_the_singular(agent, customer):
    assert set(search_for(agent, "carla", kind="customer").pages) == {"customers"}


def test_everything_at_once_gives_a_few_of_each_kind(agent, customer):
    _open(customer, "Carla's order", "carla asks about the order")
    results = search_for(agent, "carla")
    assert set(results.pages) == {"conversations", "messages", "customers"}
    assert results.customers.hits[0].customer == customer
    assert not results.is_empty


def test_an_empty_or_punctuation_query_finds_nothing(agent, customer):
    _open(customer, "Hi", "hello")
    for query in ("", "   ", "!!! ???", "-hello", '""', "AND OR NOT", "*"):
        results = search_for(agent, query)
        assert results.is_empty or query == "AND OR NOT"


def test_operators_typed_by_people_are_just_words(agent, customer):
    conversation = _open(customer, "Ops", "cats AND dogs OR birds NEAR trees")
    assert _message_ids(search_for(agent, "AND OR NEAR")) == [conversation.messages.get().pk]
    assert _message_ids(search_for(agent, 'cats" OR "x')) == []


def test_snippets_escape_html_from_customers(agent, customer):
    _open(customer, "XSS", "<script>alert(1)</script> hello sneaky <b>world</b> & more")
    hit = search_for(agent, "sneaky", kind="messages").messages.hits[0]
    assert "<script" not in hit.snippet
    assert "<b>" not in hit.snippet
    assert "<mark>sneaky</mark>" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_render_snippet_drops_stray_markers():
    assert render_snippet("\ue000a<b>\ue001 \ue000c") == "<mark>a&lt;b&gt;</mark> c"


def test_parse_query_keeps_phrases_and_exclusions():
    parsed = parse_query('refund "purple teapot" -spam -"bad words" ,,')
    assert parsed.terms == ("refund", "purple teapot")
    assert parsed.excluded == ("spam", "bad words")


def test_rebuild_restores_an_index_after_bulk_loading(agent, customer):
    conversation = _open(customer, "Bulk", "first")
    with search_sync_paused():
        Message.objects.bulk_create(
            [
                Message(conversation=conversation, direction="in", channel="email", text=f"bulkword {n}",
                        new_text="", created_at=timezone.now())
                for n in range(3)
            ]
        )
    assert len(_message_ids(search_for(agent, "bulkword", kind="messages"))) == 3
    # New rows after the block are indexed again as they come.
    later = receive_message(conversation, customer=customer, text="afterwards bulkword")
    assert later.pk in _message_ids(search_for(agent, "afterwards", kind="messages"))
    rebuild_search_index()
    assert len(_message_ids(search_for(agent, "bulkword", kind="messages"))) == 4


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers only")
def test_lost_triggers_come_back_after_migrate(agent, customer):
    from goodwill.search.schema import drop_sqlite_triggers, ensure_sqlite_triggers, missing_sqlite_triggers

    conversation = _open(customer, "Gone", "before")
    drop_sqlite_triggers(connection)
    receive_message(conversation, customer=customer, text="unindexed meanwhile")
    assert missing_sqlite_triggers(connection)

    assert ensure_sqlite_triggers(connection) is True
    assert not missing_sqlite_triggers(connection)
    assert len(_message_ids(search_for(agent, "meanwhile", kind="messages"))) == 1
