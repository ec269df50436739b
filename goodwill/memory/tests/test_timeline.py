from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.services import add_note
from goodwill.memory.services import add_fact
from goodwill.memory.tests.conftest import open_with
from goodwill.memory.timeline import (
    Cursor,
    Entry,
    customer_timeline,
    register_timeline_source,
    unregister_timeline_source,
)

pytestmark = pytest.mark.django_db


def walk(agent, customer, limit):
    """Every page, following the cursors; returns the entries in order."""
    seen, cursor = [], None
    while True:
        page, cursor = customer_timeline(agent, customer, cursor=cursor, limit=limit)
        seen.extend(page)
        if cursor is None:
            return seen


def test_it_brings_conversations_notes_and_facts_of_every_channel_together(agent, customer, support_team):
    first, _ = open_with(customer, "Hello from email", subject="By email")
    with_phone, _ = open_with(customer, "Called about a parcel", subject="By phone")
    add_note(with_phone, text="Customer sounded worried", by=agent)
    add_fact(customer, category="likes", text="Likes dark roast", by=agent)
    entries, cursor = customer_timeline(agent, customer)
    assert cursor is None
    kinds = [(entry.kind, entry.title) for entry in entries]
    assert kinds[0] == ("fact", "Learned (likes)")
    assert any("internal note" in title.lower() and "#" in title for _kind, title in kinds)
    assert any("By email" in title for _kind, title in kinds)
    note = next(e for e in entries if e.label == "Internal note added")
    assert note.body == "Customer sounded worried"
    assert note.url.endswith(f"#m{with_phone.messages.last().pk}")


def test_keyset_pages_cover_everything_once_even_with_equal_times(agent, customer):
    at = timezone.now()
    for index in range(7):
        open_with(customer, f"Message {index}", subject=f"Question {index}")
    from goodwill.core.models import Event

    Event.objects.filter(customer=customer).update(created_at=at)  # ties everywhere
    for index in range(5):
        fact = add_fact(customer, category="other", text=f"Fact {index}", by=agent)
        type(fact).objects.filter(pk=fact.pk).update(learned_at=at)
    everything = walk(agent, customer, limit=25)
    for limit in (1, 2, 3, 4):
        paged = walk(agent, customer, limit)
        assert [(e.kind, e.id) for e in paged] == [(e.kind, e.id) for e in everything]
    assert len(everything) == Event.objects.filter(customer=customer).count() + 5


def test_it_hides_what_happened_in_restricted_teams_the_agent_is_not_in(
    agent, outsider, customer, billing_team
):
    _secret, message = open_with(
        customer, "Secret billing matter", subject="Billing secret", team=billing_team
    )
    add_fact(customer, category="other", text="Pays by bank transfer", by=outsider, message=message)
    open_with(customer, "Parcel", subject="Open question")
    seen = " ".join(f"{entry.title} {entry.body}" for entry in walk(agent, customer, 10))
    assert "Open question" in seen and "Billing secret" not in seen and "bank transfer" not in seen
    seen = " ".join(f"{entry.title} {entry.body}" for entry in walk(outsider, customer, 10))
    assert "Billing secret" in seen and "bank transfer" in seen


def test_other_apps_add_their_entries_through_the_registry(agent, customer):
    when = timezone.now() + timedelta(days=1)

    def promises(agent, customer, cursor, limit):
        entries = [
            Entry(at=when - timedelta(minutes=i), kind="promise", id=i + 1, title=f"Promise {i}")
            for i in range(3)
        ]
        return [e for e in entries if cursor is None or e.sort_key < (cursor.at, cursor.kind, cursor.id)][
            :limit
        ]

    register_timeline_source(promises)
    try:
        open_with(customer, "Hello")
        entries = walk(agent, customer, 2)
        assert [e.title for e in entries[:3]] == ["Promise 0", "Promise 1", "Promise 2"]
    finally:
        unregister_timeline_source(promises)


def test_a_cursor_survives_its_round_trip_and_foreign_ones_are_refused():
    cursor = Cursor(at=timezone.now(), kind="event", id=42)
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ("", "not-a-cursor", "MjAyNnxldmVudHw0Mg"):
        with pytest.raises(ValueError):
            Cursor.decode(bad)


def test_the_page_costs_the_same_queries_however_long_the_history(
    agent, customer, django_assert_max_num_queries
):
    for index in range(30):
        open_with(customer, f"Message {index}", subject=f"Question {index}")
        add_fact(customer, category="other", text=f"Fact {index}", by=agent)
    # Events take 2 queries (the page, its messages' texts), every other source 1 (facts, promises,
    # call-backs, feedback, complaints): constant however long the history.
    from goodwill.memory.timeline import _sources

    with django_assert_max_num_queries(1 + len(_sources)):
        entries, cursor = customer_timeline(agent, customer)
    assert len(entries) == 25 and cursor is not None
    for index in range(30):
        open_with(customer, f"More {index}", subject=f"Later {index}")
    with django_assert_max_num_queries(1 + len(_sources)):
        customer_timeline(agent, customer)
