"""Listening's reactions to the event seam (listed in goodwill/subscribers.py)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from goodwill.conversations.models import Message
from goodwill.core.models import Event
from goodwill.listening.services import score_messages


def score_message(event: Event) -> None:
    """Score the customer's message that `event` announces (`message.received`, or the first
    message of a conversation the customer opened, `conversation.opened`)."""
    score_messages(_messages_of([event]))


def _score_batch(events: list[Event]) -> None:
    """The batch form (see core.events.run_subscriber): the messages of many events read in
    at most two queries and scored in one transaction."""
    score_messages(_messages_of(events))


score_message.batch = _score_batch  # type: ignore[attr-defined]

_FIELDS = ("pk", "conversation_id", "author_customer_id", "direction", "text", "new_text", "created_at")


def _messages_of(events: list[Event]) -> list[Message]:
    received = [
        int(e.subject_id) for e in events if e.kind == Event.Kind.MESSAGE_RECEIVED and e.subject_id.isdigit()
    ]
    opened = [
        e.conversation_id
        for e in events
        if e.kind == Event.Kind.CONVERSATION_OPENED and e.conversation_id is not None
    ]
    if not received and not opened:
        return []
    inbound = Message.objects.filter(direction=Message.Direction.INBOUND).only(*_FIELDS)
    messages = list(inbound.filter(pk__in=received)) if received else []
    if opened:
        # Each opened conversation's first inbound message.
        first = (
            Message.objects.filter(
                conversation_id=OuterRef("conversation_id"), direction=Message.Direction.INBOUND
            )
            .order_by("created_at", "id")
            .values("pk")[:1]
        )
        messages += list(inbound.filter(conversation_id__in=opened, pk=Subquery(first)))
    return messages
