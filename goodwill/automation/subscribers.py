"""Automation's reaction to the event seam (listed in goodwill/subscribers.py).

One handler for every topic it cares about, so an intake transaction costs one task for
automation, however many events it recorded.
"""

from __future__ import annotations

from goodwill.automation.assignment import assign_by_policy
from goodwill.automation.engine import on_event
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event

_ASSIGN_ON = (Event.Kind.CONVERSATION_OPENED, Event.Kind.TEAM_CHANGED)


def react(event: Event) -> None:
    """A new conversation (or one moved to a team) first goes to an agent by the team's
    assignment policy; then the event rules whose trigger this event is run, in order."""
    if event.kind in _ASSIGN_ON and event.conversation_id is not None:
        conversation = Conversation.objects.filter(pk=event.conversation_id).first()
        if conversation is not None and conversation.is_open:
            assign_by_policy(conversation)
    on_event(event)
