from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import assign_conversation, change_status, open_conversation
from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.customers.models import Customer
from goodwill.voice.models import Survey


@pytest.fixture(autouse=True)
def _quiet():  # type: ignore[no-untyped-def]
    with subscribed({}):
        yield


@pytest.fixture
def solved(customer, support_team, agent):  # type: ignore[no-untyped-def]
    """A solved conversation, Sam served, and its survey planned from the solved event."""
    from goodwill.voice.services import plan_survey

    conversation = open_conversation(
        customer=customer, subject="Broken kettle", text="It leaks", channel="email", team=support_team
    )[0]
    assign_conversation(conversation, to=agent, by=agent)
    change_status(conversation, "solved", by=agent)
    event = Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
    plan_survey(event)
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def answered(db) -> Callable[..., Survey]:  # type: ignore[no-untyped-def]
    """answered(customer, days_ago=…, outcome=…, conduct=…, team=…): a survey the customer answered
    that many days ago, on a conversation opened the day before."""

    def make(
        customer: Customer,
        *,
        days_ago: int = 50,
        outcome: str = "no",
        conduct: int = 5,
        team: Team | None = None,
    ) -> Survey:
        conversation = open_conversation(
            customer=customer, subject="q", text="t", channel="email", team=team
        )[0]
        at = timezone.now() - timedelta(days=days_ago)
        Conversation.objects.filter(pk=conversation.pk).update(created_at=at - timedelta(days=1))
        return Survey.objects.create(
            conversation=conversation, customer=customer, team=team, send_after=at, sent_at=at,
            outcome=outcome, conduct=conduct, answered_at=at,
        )  # fmt: skip

    return make


@pytest.fixture
def answer(customer, answered) -> Survey:  # type: ignore[no-untyped-def]
    """The customer's answer of 50 days ago: need not met, treated well."""
    return answered(customer)
