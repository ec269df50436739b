"""Listening's reactions to the event seam (listed in goodwill/subscribers.py)."""

from __future__ import annotations

from goodwill.conversations.models import Message
from goodwill.core.models import Event
from goodwill.listening.services import score_message as score


def score_message(event: Event) -> None:
    """Score the customer's message that `event` announces (`message.received`, or the first
    message of a conversation the customer opened, `conversation.opened`)."""
    messages = Message.objects.filter(direction=Message.Direction.INBOUND)
    if event.kind == Event.Kind.MESSAGE_RECEIVED:
        message = messages.filter(pk=event.subject_id).first() if event.subject_id.isdigit() else None
    elif event.kind == Event.Kind.CONVERSATION_OPENED and event.conversation_id is not None:
        message = messages.filter(conversation_id=event.conversation_id).order_by("created_at", "id").first()
    else:
        return
    if message is not None:
        score(message)
