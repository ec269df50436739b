"""Automation's reaction to the event seam (listed in goodwill/subscribers.py).

One handler for every conversation and message topic, for automation and webhooks together:
each subscriber path costs intake one queued task per transaction (a commit of its own after
the intake's), so one path instead of two halves what they add to intake.
"""

from __future__ import annotations

from goodwill.automation.assignment import assign_by_policy
from goodwill.automation.engine import on_event
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.webhooks.services import queue_for_event

_ASSIGN_ON = (Event.Kind.CONVERSATION_OPENED, Event.Kind.TEAM_CHANGED)


def react(event: Event) -> None:
    """A new conversation (or one moved to a team) first goes to an agent by the team's
    assignment policy; then the event rules whose trigger this event is run, in order; then
    the webhooks listening to its topics get a delivery each (sent by the worker after commit)."""
    if event.kind in _ASSIGN_ON and event.conversation_id is not None:
        conversation = Conversation.objects.filter(pk=event.conversation_id).first()
        if conversation is not None and conversation.is_open:
            assign_by_policy(conversation)
    on_event(event)
    queue_for_event(event)
