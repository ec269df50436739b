"""The SLA clocks follow the conversation through the event seam (goodwill/subscribers.py).

One handler for every topic, so the events of one transaction (a reply that also sets the
status to pending) reach it in the order they happened.
"""

from __future__ import annotations

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.expectations import services


def follow_conversation(event: Event) -> None:
    if event.conversation_id is None:
        return
    conversation = Conversation.objects.select_related("customer").filter(pk=event.conversation_id).first()
    if conversation is None:
        return
    at = event.created_at
    if event.kind == Event.Kind.CONVERSATION_OPENED:
        services.conversation_opened(conversation, at)
    elif event.kind == Event.Kind.MESSAGE_RECEIVED:
        services.customer_wrote(conversation, at)
    elif event.kind == Event.Kind.REPLY_SENT:
        services.team_replied(conversation, at)
    elif event.kind == Event.Kind.STATUS_CHANGED:
        before = (event.before or {}).get("status", "")
        after = (event.after or {}).get("status", "")
        services.status_changed(conversation, before, after, at)
    services.refresh_due(conversation)
