"""What the conversation page reads besides its timeline: the audit trail, the macros the agent
may use, and the customer's previous conversations (the inbox's reads are in `selectors`)."""

from __future__ import annotations

from django.db.models import Q

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation, Macro, Message
from goodwill.conversations.visibility import conversations_visible_to
from goodwill.core.models import Event

MESSAGE_EVENT_KINDS = (
    Event.Kind.MESSAGE_RECEIVED,
    Event.Kind.REPLY_SENT,
    Event.Kind.NOTE_ADDED,
    Event.Kind.CALL_LOGGED,
    Event.Kind.WALK_IN_LOGGED,
)
EVENTS_SHOWN = 500
MACROS_SHOWN = 200
PREVIOUS_SHOWN = 10


def change_events_of(conversation: Conversation) -> list[Event]:
    """The audit trail of a conversation: every change but the messages themselves."""
    return list(
        Event.objects.filter(conversation=conversation)
        .exclude(kind__in=MESSAGE_EVENT_KINDS)
        .select_related("actor")
        .order_by("created_at", "id")[:EVENTS_SHOWN]
    )


def usable_macros(agent: Agent) -> list[Macro]:
    """Macros the agent may use, by name (at most MACROS_SHOWN; fewer means these are all)."""
    queryset = Macro.objects.filter(Q(owner__isnull=True) | Q(owner=agent), is_active=True)
    if not agent.can_reply:
        queryset = queryset.filter(kind=Message.Kind.NOTE)
    return list(queryset.order_by("name", "id")[:MACROS_SHOWN])


def macros_for(agent: Agent, conversation: Conversation, usable: list[Macro] | None = None) -> list[Macro]:
    """Macros the agent may use here; those for the conversation's need come first.

    `usable`: `usable_macros(agent)` when the caller has read it already."""
    macros = list(usable_macros(agent) if usable is None else usable)
    if conversation.need_id:
        macros.sort(key=lambda macro: macro.need_id != conversation.need_id)
    return macros


def previous_conversations(agent: Agent, conversation: Conversation) -> list[Conversation]:
    return list(
        conversations_visible_to(agent)
        .filter(customer_id=conversation.customer_id)
        .exclude(pk=conversation.pk)
        .only("id", "number", "subject", "status", "last_message_at")
        .order_by("-last_message_at")[:PREVIOUS_SHOWN]
    )
