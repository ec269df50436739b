"""Crafted histories for the churn watch: conversations at chosen days before a fixed `now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from goodwill.accounts.models import Team
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.models import Customer, Organisation
from goodwill.customers.services import create_customer
from goodwill.promises.models import Promise

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _quiet_seam():  # type: ignore[no-untyped-def]
    with subscribed({}):
        yield


@pytest.fixture
def now() -> datetime:
    return NOW


History = Callable[..., list[Conversation]]


@pytest.fixture
def history(support_team: Team) -> History:
    """`history("Name", [90, 60, 30], value=...)`: a customer who opened conversations that many days ago."""
    count = iter(range(1, 1000))

    def make(
        name: str,
        days_ago: list[float],
        *,
        value: str | None = None,
        team: Team | None = None,
        customer: Customer | None = None,
        anchor: datetime = NOW,
    ) -> list[Conversation]:
        if customer is None:
            organisation = (
                Organisation.objects.create(name=f"{name} Ltd", value=Decimal(value)) if value else None
            )
            customer = create_customer(
                name=name,
                emails=[f"{name.lower().replace(' ', '.')}{next(count)}@example.test"],
                organisation=organisation,
            )
        made = []
        for days in sorted(days_ago, reverse=True):
            conversation, _message = open_conversation(
                customer=customer,
                subject=f"Question {days}",
                channel="email",
                text="Hello",
                team=team or support_team,
                at=anchor - timedelta(days=days),
            )
            made.append(conversation)
        return made

    return make


def broken_promise(
    conversation: Conversation, *, due_days_ago: float = 50, anchor: datetime = NOW
) -> Promise:
    return Promise.objects.create(
        conversation=conversation,
        customer=conversation.customer,
        text="We'll process the refund by Friday.",
        due_at=anchor - timedelta(days=due_days_ago),
        state=Promise.State.CLOSED,
        outcome=Promise.Outcome.BROKEN,
        created_at=conversation.created_at,
    )


@pytest.fixture
def lead(support_team):  # type: ignore[no-untyped-def]
    person = create_or_update_agent(
        "lena@example.com", name="Lena Lead", role="agent", password="pw-lena-123"
    )[0]
    add_to_team(person, support_team)
    support_team.teammembership_set.filter(agent=person).update(is_lead=True)
    return person


@pytest.fixture
def listed_entry(history):  # type: ignore[no-untyped-def]
    """Rita, a regular writer silent after a broken promise, on a freshly rebuilt watch."""
    from goodwill.churn.models import ChurnEntry
    from goodwill.churn.watch import rebuild_watch

    conversations = history("Rita Regular", [116, 95, 74, 53], value="2500")
    broken_promise(conversations[-1])
    rebuild_watch(NOW)
    return ChurnEntry.objects.select_related("customer", "last_conversation", "team").get()
