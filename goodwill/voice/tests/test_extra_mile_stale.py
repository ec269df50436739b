"""Which changes mark an extra-mile report day stale, and what the subscriber costs: nothing for
status changes between unfinished statuses, a constant few queries for a batch of events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import assign_conversation, change_status, open_conversation
from goodwill.core.models import Event
from goodwill.customers.services import create_customer
from goodwill.voice.extra_mile_days import conversation_changed, rebuild_stale_days
from goodwill.voice.models import ExtraMileStale

pytestmark = pytest.mark.django_db


def _last(conversation: Conversation, kind: str) -> Event:
    return Event.objects.filter(conversation=conversation, kind=kind).latest("pk")


def _solved(n: int, *, days_ago: int, agent) -> Conversation:  # type: ignore[no-untyped-def]
    person = create_customer(name=f"P{n}", emails=[f"p{n}@customer.test"])
    conversation = open_conversation(customer=person, subject="q", text="t", channel="email")[0]
    change_status(conversation, "solved", by=agent)
    ended = timezone.now() - timedelta(days=days_ago)
    Conversation.objects.filter(pk=conversation.pk).update(solved_at=ended, last_message_at=ended)
    conversation.refresh_from_db()
    return conversation


def test_a_status_change_between_unfinished_statuses_costs_no_query(
    customer, agent, django_assert_num_queries
):
    conversation = open_conversation(customer=customer, subject="q", text="t", channel="email")[0]
    change_status(conversation, "pending", by=agent)
    event = _last(conversation, "conversation.status")
    with django_assert_num_queries(0):
        conversation_changed(event)
    assert not ExtraMileStale.objects.exists()


def test_closing_without_solving_and_reopening_mark_the_day(customer, agent):
    conversation = open_conversation(customer=customer, subject="q", text="t", channel="email")[0]
    change_status(conversation, "closed", by=agent)
    conversation_changed(_last(conversation, "conversation.status"))
    day = timezone.localdate(Conversation.objects.get(pk=conversation.pk).solved_at)
    assert list(ExtraMileStale.objects.values_list("day", flat=True)) == [day]
    rebuild_stale_days()
    change_status(conversation, "open", by=agent)  # leaves the day it was counted in
    conversation_changed(_last(conversation, "conversation.status"))
    assert list(ExtraMileStale.objects.values_list("day", flat=True)) == [day]


def test_a_batch_marks_each_day_once_in_a_few_queries(agent, teammate, django_assert_max_num_queries):
    events = []
    for n in range(12):
        conversation = _solved(n, days_ago=n % 4, agent=agent)
        assign_conversation(conversation, to=teammate, by=agent)  # a finished conversation changes hands
        events.append(_last(conversation, "conversation.assigned"))
        other = open_conversation(customer=conversation.customer, subject="q", text="t", channel="email")[0]
        assign_conversation(other, to=agent, by=agent)  # unfinished: moves no day
        events.append(_last(other, "conversation.assigned"))
    with django_assert_max_num_queries(3):
        conversation_changed.batch(events)  # type: ignore[attr-defined]
    days = {timezone.localdate(timezone.now() - timedelta(days=n)) for n in range(4)}
    assert set(ExtraMileStale.objects.values_list("day", flat=True)) == days


def test_the_subscriber_hears_status_changes_once():
    from goodwill.subscribers import SUBSCRIBERS

    path = "goodwill.voice.extra_mile_days.conversation_changed"
    heard = {topic for topic, paths in SUBSCRIBERS.items() if path in paths}
    assert heard == {
        "conversation.status", "conversation.assigned", "conversation.team", "conversation.merged",
        "feedback.answered",
    }  # fmt: skip


def test_the_repair_walk_marks_only_days_a_new_conversation_can_change(agent):
    """`voice.returns` walks new conversations: one ended 300 days before is in no return window
    of theirs (90 days at most), so its day is not marked and rebuilt again; one ended 20 days
    before is."""
    from goodwill.voice.returns import refresh_returns, repair_returns

    old = _solved(1, days_ago=300, agent=agent)
    recent = _solved(2, days_ago=20, agent=agent)
    Conversation.objects.filter(pk=recent.pk).update(customer=old.customer)
    refresh_returns()  # the first run: reads everything, builds every day
    assert not ExtraMileStale.objects.exists()
    open_conversation(customer=old.customer, subject="again", text="t", channel="email")
    repair_returns()
    assert set(ExtraMileStale.objects.values_list("day", flat=True)) == {timezone.localdate(recent.solved_at)}
