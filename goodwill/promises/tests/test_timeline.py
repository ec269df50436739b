"""`promise_timeline_entries`: the customer's promises, made and closed, newest first."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.customers.services import create_customer
from goodwill.promises.models import Promise
from goodwill.promises.selectors import promise_timeline_entries
from goodwill.promises.services import close_promise, confirm_promise, drop_detected

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("UTC"))


def test_entries_for_made_and_closed_promises_newest_first(customer, agent, django_assert_max_num_queries):
    other = create_customer(name="Olga Other", emails=["olga@customer.test"])
    with subscribed({}):
        conversation = make_conversation(customer=customer)
        elsewhere = make_conversation(customer=other)
    first = confirm_promise(
        conversation, by=agent, text="I'll call you tomorrow.", due_at=T0 + timedelta(days=1), at=T0
    )
    confirm_promise(
        conversation,
        by=agent,
        text="We'll ship by Friday.",
        due_at=T0 + timedelta(days=4),
        at=T0 + timedelta(hours=1),
    )
    drop_detected(conversation, by=agent, text="We will look.", at=T0)
    confirm_promise(elsewhere, by=agent, text="Not Carla's", due_at=None, at=T0)
    close_promise(first, by=agent, closing="kept", at=T0 + timedelta(hours=3))
    with django_assert_max_num_queries(1):
        entries = promise_timeline_entries(customer)
    assert [(e.kind, e.detail, e.at) for e in entries] == [
        ("promise.closed", "I'll call you tomorrow.", T0 + timedelta(hours=3)),
        ("promise.made", "We'll ship by Friday.", T0 + timedelta(hours=1)),
        ("promise.made", "I'll call you tomorrow.", T0),
    ]
    assert entries[0].outcome == Promise.Outcome.KEPT_EARLY and entries[0].title == "Promise kept early"
    assert entries[1].title == "Sam Agent promised" and entries[1].conversation_number == conversation.number
    since = promise_timeline_entries(customer, since=T0 + timedelta(minutes=30))
    assert [e.kind for e in since] == ["promise.closed", "promise.made"]
