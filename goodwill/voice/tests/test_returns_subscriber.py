"""Survey.came_back_after: set when the customer comes back (a new conversation, a posted return, a
merge), the earliest return wins, and the repair job agrees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.models import Event
from goodwill.voice.models import ReturnEvent, Survey
from goodwill.voice.returns import customer_came_back, customers_merged, recompute_returns

pytestmark = pytest.mark.django_db
SUBSCRIBER = "goodwill.voice.returns.customer_came_back"  # as goodwill/subscribers.py names it


def test_a_new_conversation_sets_the_gap_through_the_subscriber(answer, customer):  # type: ignore[no-untyped-def]
    again = open_conversation(customer=customer, subject="again", text="t", channel="email")[0]
    customer_came_back(Event.objects.get(conversation=again, kind="conversation.opened"))
    answer.refresh_from_db()
    assert answer.came_back_after == again.created_at - answer.answered_at


def test_the_earliest_return_wins_whatever_the_order(answer, customer):  # type: ignore[no-untyped-def]
    event = Event(kind="customer.returned", customer=customer)
    for days in (40, 10, 20, -1):  # the last one is before the answer: not a return
        ReturnEvent.objects.create(customer=customer, at=answer.answered_at + timedelta(days=days))
        customer_came_back(event)
    answer.refresh_from_db()
    assert answer.came_back_after == timedelta(days=10)


def test_refresh_recomputes_from_conversations_and_posted_returns(answer, customer):  # type: ignore[no-untyped-def]
    from goodwill.voice.models import ReturnEvent

    later = open_conversation(customer=customer, subject="later", text="t", channel="email")[0]
    Conversation.objects.filter(pk=later.pk).update(created_at=answer.answered_at + timedelta(days=30))
    ReturnEvent.objects.create(customer=customer, at=answer.answered_at + timedelta(days=12))
    Survey.objects.filter(pk=answer.pk).update(came_back_after=None)
    assert recompute_returns(Survey.objects.all()) == 1
    answer.refresh_from_db()
    assert answer.came_back_after == timedelta(days=12)
    ReturnEvent.objects.all().delete()
    recompute_returns(Survey.objects.all())
    answer.refresh_from_db()
    assert answer.came_back_after == timedelta(days=30)


def test_no_return_leaves_it_empty(answer):  # type: ignore[no-untyped-def]
    recompute_returns(Survey.objects.all())
    answer.refresh_from_db()
    assert answer.came_back_after is None


def test_a_return_posted_through_the_api_sets_the_gap(client, answer, customer, agent):  # type: ignore[no-untyped-def]
    from goodwill.accounts.services import issue_api_token

    at = answer.answered_at + timedelta(days=3)
    response = client.post(
        f"/api/v1/customers/{customer.pk}/returned",
        {"at": at.isoformat(), "note": "renewed"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issue_api_token(agent)}",
    )
    assert response.status_code == 201, response.content
    customer_came_back(Event.objects.get(kind="customer.returned", customer=customer))  # what the worker runs
    answer.refresh_from_db()
    assert answer.came_back_after == timedelta(days=3)


def test_a_customer_merge_recomputes_the_survivors_answers(answer, customer, agent):  # type: ignore[no-untyped-def]
    """The merged record's conversation 5 days after the answer becomes the survivor's return."""
    from goodwill.customers.services import create_customer
    from goodwill.memory.merge import merge_customers

    twin = create_customer(name="Twin", emails=["twin@customer.test"])
    later = open_conversation(customer=twin, subject="from the other address", text="t", channel="email")[0]
    Conversation.objects.filter(pk=later.pk).update(created_at=answer.answered_at + timedelta(days=5))
    customers_merged(Event(kind="customer.changed", customer=customer, after={"name": "x"}))
    answer.refresh_from_db()
    assert answer.came_back_after is None  # an ordinary change: nothing to do
    merge_customers(customer, twin, by=agent)
    customers_merged(Event.objects.filter(kind="customer.changed", customer=customer).latest("pk"))
    answer.refresh_from_db()
    assert answer.came_back_after == timedelta(days=5)


def test_the_subscribers_are_registered_for_their_topics():  # type: ignore[no-untyped-def]
    from goodwill.subscribers import SUBSCRIBERS

    assert "goodwill.voice.returns.customer_came_back" in SUBSCRIBERS["conversation.opened"]
    assert "goodwill.voice.returns.customer_came_back" in SUBSCRIBERS["customer.returned"]
    assert "goodwill.voice.returns.customers_merged" in SUBSCRIBERS["customer.changed"]


def test_a_conversation_the_subscriber_handled_is_not_walked_again(answer, customer):  # type: ignore[no-untyped-def]
    from goodwill.core.events import run_subscriber
    from goodwill.voice.models import ExtraMileStale
    from goodwill.voice.returns import repair_returns

    repair_returns()  # the walk has read the history so far
    again = open_conversation(customer=customer, subject="again", text="t", channel="email")[0]
    run_subscriber.call(SUBSCRIBER, [Event.objects.get(conversation=again, kind="conversation.opened").pk])
    answer.refresh_from_db()
    assert answer.came_back_after == again.created_at - answer.answered_at
    ExtraMileStale.objects.all().delete()
    assert repair_returns() == (1, 0, 0, 0)  # read, and left alone: no answer recomputed a second time
    assert not ExtraMileStale.objects.exists()
    open_conversation(customer=customer, subject="unheard", text="t", channel="email")  # no subscriber ran
    assert repair_returns() == (1, 1, 0, 0)


def test_the_batch_form_sets_every_customers_gap_in_a_few_queries(answered, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    from goodwill.core.events import run_subscriber
    from goodwill.customers.services import create_customer

    answers, events = [], []
    for n in range(8):
        person = create_customer(name=f"P{n}", emails=[f"p{n}@customer.test"])
        answers.append(answered(person, days_ago=20, outcome="yes", conduct=4))
        again = open_conversation(customer=person, subject="again", text="t", channel="email")[0]
        events.append(Event.objects.get(conversation=again, kind="conversation.opened"))
    with django_assert_max_num_queries(12):
        run_subscriber.call(SUBSCRIBER, [event.pk for event in events])
    for survey, event in zip(answers, events, strict=True):
        survey.refresh_from_db()
        assert survey.came_back_after == event.created_at - survey.answered_at
