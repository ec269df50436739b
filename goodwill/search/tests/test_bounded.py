"""Frequent words: best match ranks a bounded set of the newest matches, counts stop at a cap,
and the ordering of small and medium result sets stays as it was (pinned here)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation, receive_message
from goodwill.search import postgres, results
from goodwill.search.query import parse_query
from goodwill.search.ranking import count_matches
from goodwill.search.selectors import search_for

TEXTS = {
    "short": "refund please",
    "dense": "refund refund refund for the order",
    "long": "I wrote last week about the order that arrived broken and asked for a refund, "
    "but nobody has answered my email and the parcel is still sitting in my hallway",
    "phrase": "the order refund was sent to the wrong account",
    "other": "thanks for the quick answer about my order",
    "both": "order order refund",
}


@pytest.fixture
def messages(customer) -> dict[str, int]:
    conversation = open_conversation(
        customer=customer, subject="Ranking", channel="email", text="hello there"
    )[0]
    return {
        name: receive_message(conversation, customer=customer, text=text).pk for name, text in TEXTS.items()
    }


def _order(results) -> list[int]:
    return [hit.pk for hit in results.messages.hits]


def _names(messages: dict[str, int], results) -> list[str]:
    names = {pk: name for name, pk in messages.items()}
    return [names[pk] for pk in _order(results)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("refund", ["dense", "short", "both", "phrase", "long"]),
        ("order", ["both", "dense", "other", "phrase", "long"]),
        ("order refund", ["both", "dense", "phrase", "long"]),
        ('"order refund"', ["both", "phrase"]),
    ],
)
def test_best_match_orderings_of_small_result_sets_are_pinned(agent, messages, query, expected):
    assert _names(messages, search_for(agent, query, kind="messages")) == expected


def test_counts_are_exact_under_the_cap(agent, messages):
    page = search_for(agent, "refund", kind="messages").messages
    assert (page.total, page.total_is, page.total_text) == (5, "exact", "5")
    assert page.limited == 0


def test_counts_past_the_cap_say_more_than(agent, messages, monkeypatch):
    monkeypatch.setattr(results, "COUNT_CAP", 3)
    page = search_for(agent, "refund", kind="messages", order="date").messages
    assert (page.total, page.total_text) == (3, "more than 3")


def test_a_frequent_word_ranks_only_the_newest_matches_and_says_so(agent, messages, monkeypatch):
    monkeypatch.setattr(results, "RELEVANCE_CANDIDATES", 3)
    page = search_for(agent, "refund", kind="messages").messages
    # The three newest matches (both, phrase, long), best first; the dense older one is not ranked.
    assert [pk for pk in _order(search_for(agent, "refund", kind="messages"))] == [
        messages["both"],
        messages["phrase"],
        messages["long"],
    ]
    assert page.limited == 3
    # Newest first still reaches every match.
    assert len(search_for(agent, "refund", kind="messages", order="date").messages.hits) == 5


def test_the_page_shows_counts_and_when_best_match_was_limited(agent, messages, monkeypatch):
    monkeypatch.setattr(results, "RELEVANCE_CANDIDATES", 3)
    monkeypatch.setattr(results, "COUNT_CAP", 4)
    client = Client()
    client.force_login(agent)
    html = client.get(reverse("search:results"), {"q": "refund", "kind": "messages"}).content.decode()
    assert "(more than 4)" in html
    assert "best match ranks only the newest 3" in html
    newest = client.get(reverse("search:results"), {"q": "refund", "kind": "messages", "order": "date"})
    assert "best match ranks only" not in newest.content.decode()


def test_filters_still_apply_to_counts(agent, messages):
    assert Conversation.objects.count() == 1
    page = search_for(agent, "refund", kind="messages", statuses=["solved"]).messages
    assert (page.total, page.hits) == (0, [])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL looks in the newest rows first")
def test_postgresql_looks_in_the_newest_rows_first_and_finds_the_same(agent, messages, monkeypatch):
    whole = [
        _order(search_for(agent, "refund", kind="messages", order=order)) for order in ("relevance", "date")
    ]
    # A range of one id, then eight, then everything: the same matches in the same order.
    monkeypatch.setattr(postgres, "pg_plan", lambda *args: postgres.PgPlan("range", 1, 1.0))
    assert [
        _order(search_for(agent, "refund", kind="messages", order=order)) for order in ("relevance", "date")
    ] == whole
    second = search_for(agent, "refund", kind="messages", order="date", limit=2)
    rest = search_for(
        agent, "refund", kind="messages", order="date", limit=10, cursor=second.messages.next_cursor
    )
    assert _order(second) + _order(rest) == whole[1]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL walks the primary key for common words"
)
def test_postgresql_common_words_walk_the_newest_rows_then_fall_back(agent, messages, monkeypatch):
    whole = [
        _order(search_for(agent, "refund", kind="messages", order=order)) for order in ("relevance", "date")
    ]
    # A walk through two ids finds too few; the range after it (four times as many) too.
    monkeypatch.setattr(postgres, "pg_plan", lambda *args: postgres.PgPlan("walk", 2, 1.0))
    assert [
        _order(search_for(agent, "refund", kind="messages", order=order)) for order in ("relevance", "date")
    ] == whole


def _plan(monkeypatch, query: str, frequencies: dict[str, float], how_many: int = 201) -> postgres.PgPlan:
    monkeypatch.setattr(postgres, "pg_lexeme_frequencies", lambda table, column: frequencies)
    monkeypatch.setattr(postgres, "_row_count", lambda table: 4_300_000.0)
    return postgres.pg_plan(parse_query(query), "conversations_message", "search_vector", how_many)


# Shares of the 1M demo data (4.3M messages): "kind" the most frequent content word,
# "sven" the median one, "lei" a rare one; 0.0003 about the rarest share listed.
SHARES = {"kind": 0.14, "morning": 0.093, "good": 0.10, "sven": 0.0058, "zzz": 0.0003}


def test_a_common_word_walks_the_newest_rows(monkeypatch):
    plan = _plan(monkeypatch, "kind", SHARES)
    assert (plan.how, plan.rows) == ("walk", int(3 * 201 / 0.14) + 1)


def test_a_middling_word_takes_its_matches_from_a_range_of_ids_sized_by_its_share(monkeypatch):
    plan = _plan(monkeypatch, "sven", SHARES)
    assert (plan.how, plan.rows) == ("range", int(2 * 201 / 0.0058) + 1)
    assert round(plan.matches) == round(0.0058 * 4_300_000)


def test_a_word_missing_from_the_statistics_sorts_all_its_matches(monkeypatch):
    # Rarer than the rarest listed word: at most 0.0003 x 4.3M = 1,290 matches.
    assert _plan(monkeypatch, "lei", SHARES).how == "all"
    # No statistics at all (a new or small database): the same.
    assert _plan(monkeypatch, "kind", {}).how == "all"


def test_words_searched_together_count_as_common_as_the_rarest_of_them(monkeypatch):
    # "good morning" is in about as many messages as "morning": walking finds a page soon,
    # where taking the words as independent (1 in 100) would read a wide range of matches.
    for query in ('"good morning"', "good morning"):
        plan = _plan(monkeypatch, query, SHARES)
        assert (plan.how, plan.matches) == ("walk", pytest.approx(0.093 * 4_300_000))
    assert _plan(monkeypatch, "kind sven", SHARES).how == "range"
    assert _plan(monkeypatch, "kind lei", SHARES).how == "all"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL estimates counts from its statistics"
)
def test_postgresql_estimates_the_count_of_any_word_its_statistics_list_well_past_the_cap(db, monkeypatch):
    monkeypatch.setattr(
        postgres, "pg_lexeme_frequencies", lambda table, column: {"sven": 0.0058, "zzz": 0.0003}
    )
    monkeypatch.setattr(postgres, "_row_count", lambda table: 4_300_000.0)
    where = ("conversations_message", "search_vector")
    counted = [0]

    def fetch(before, how_many, with_text):
        counted[0] += 1
        return [(1, "")] * 7

    assert count_matches(parse_query("sven"), fetch, where, False) == (25000, "about")
    # Near the cap (1,290 estimated) it counts: "about 1,300" could be 900.
    assert count_matches(parse_query("zzz"), fetch, where, False) == (7, "exact")
    # Filtered, a middling word is counted (filters may leave few); a common one, as before, is not.
    assert count_matches(parse_query("news"), fetch, where, True) == (7, "exact")
    assert count_matches(parse_query("sven"), fetch, where, True) == (1000, "more")
    assert counted[0] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL looks in the newest rows first")
def test_postgresql_conversations_are_found_in_widening_ranges_too(agent, customer, monkeypatch):
    subjects = ["Refund for order 1", "Invoice question", "Refund again", "Refund, third time"]
    opened = [
        open_conversation(customer=customer, subject=s, channel="email", text="hi")[0] for s in subjects
    ]
    expected = [opened[3].pk, opened[2].pk, opened[0].pk]
    assert [
        hit.pk for hit in search_for(agent, "refund", kind="conversations", order="date").conversations.hits
    ] == expected
    plans = []

    def plan(*args):
        plans.append(args[1])
        return postgres.PgPlan("walk", 1, 1.0)

    monkeypatch.setattr(postgres, "pg_plan", plan)
    assert [
        hit.pk for hit in search_for(agent, "refund", kind="conversations", order="date").conversations.hits
    ] == expected
    assert "search_conversation_vector" in plans
