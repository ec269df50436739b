from __future__ import annotations

import pytest

from goodwill.conversations.services import assign_conversation, change_status, open_conversation
from goodwill.core.events import subscribed
from goodwill.core.models import Event


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
