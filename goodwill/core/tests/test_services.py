"""The audit trail and the counters every app relies on."""

from __future__ import annotations

import pytest

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.models import Counter, Event
from goodwill.core.services import next_value, raise_counter_to, record_event
from goodwill.customers.models import Customer


@pytest.mark.django_db
def test_next_value_counts_from_one_without_gaps() -> None:
    assert [next_value("tickets") for _ in range(5)] == [1, 2, 3, 4, 5]
    assert next_value("other") == 1
    assert Counter.objects.get(name="tickets").value == 5


@pytest.mark.django_db
def test_raise_counter_to_only_moves_forward() -> None:
    next_value("imported")

    raise_counter_to("imported", 500)
    raise_counter_to("imported", 10)
    raise_counter_to("fresh", 7)

    assert next_value("imported") == 501
    assert next_value("fresh") == 8


def test_conversation_numbers_come_from_the_counter(customer: Customer) -> None:
    raise_counter_to("conversation", 1000)

    conversation, _ = open_conversation(
        customer=customer, subject="Hi", channel=Conversation.Channel.EMAIL, text="Hello"
    )

    assert conversation.number == 1001


def test_record_event_takes_the_customer_from_the_conversation(agent: Agent, customer: Customer) -> None:
    conversation, _ = open_conversation(
        customer=customer, subject="Hi", channel=Conversation.Channel.EMAIL, text="Hello"
    )

    event = record_event(
        Event.Kind.TAGS_CHANGED, actor=agent, conversation=conversation, before={"tags": []}, after={"tags": ["vip"]}
    )

    assert event.customer == customer
    assert event.actor == agent
    assert (event.subject_type, event.subject_id) == ("", "")
    assert list(customer.events.values_list("kind", flat=True)) == [
        Event.Kind.CUSTOMER_CREATED,
        Event.Kind.CONVERSATION_OPENED,
        Event.Kind.TAGS_CHANGED,
    ]


def test_record_event_names_its_subject(customer: Customer) -> None:
    event = record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer, subject=customer)

    assert (event.subject_type, event.subject_id) == ("customers.customer", str(customer.pk))
    assert event.actor is None


def test_events_are_append_only(customer: Customer) -> None:
    event = record_event(Event.Kind.OTHER, customer=customer, after={"x": 1})
    event.after = {"x": 2}

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    event.refresh_from_db()
    assert event.after == {"x": 1}


def test_the_event_admin_cannot_change_or_delete(client, admin: Agent, customer: Customer) -> None:  # type: ignore[no-untyped-def]
    event = record_event(Event.Kind.OTHER, customer=customer)
    client.force_login(admin)

    page = client.get(f"/admin/core/event/{event.pk}/change/")
    delete = client.post(f"/admin/core/event/{event.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert delete.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()
