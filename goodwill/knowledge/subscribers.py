"""The knowledge base's reactions to the event seam (listed in goodwill/subscribers.py)."""

from __future__ import annotations

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.knowledge.need import suggest_need


def suggest_need_for_new_conversation(event: Event) -> None:
    """Suggest a need for a conversation that just opened, from its first message."""
    if event.conversation_id is None:
        return
    conversation = Conversation.objects.filter(pk=event.conversation_id).first()
    if conversation is not None:
        suggest_need(conversation)
