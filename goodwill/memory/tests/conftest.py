"""Shared helpers for customer-memory tests: conversations in open and restricted teams."""

from __future__ import annotations

import pytest

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.models import Customer


def open_with(
    customer: Customer, text: str, *, team=None, subject: str = "A question"
) -> tuple[Conversation, Message]:  # type: ignore[no-untyped-def]
    with subscribed({}):
        return open_conversation(customer=customer, subject=subject, channel="email", text=text, team=team)


@pytest.fixture
def conversation(customer, support_team) -> Conversation:  # type: ignore[no-untyped-def]
    return open_with(
        customer, "Hi! My daughter Lucy gets married on 12 May, so I need the dress soon.", team=support_team
    )[0]


@pytest.fixture
def billing_conversation(customer, billing_team) -> Conversation:  # type: ignore[no-untyped-def]
    return open_with(
        customer, "I use a screen reader, please keep invoices as plain text.", team=billing_team
    )[0]
