"""What a page last showed of a conversation, so a client can ask "has anything changed?".

A marker is the newest message id plus a digest of the fields people act on. The workspace
renders the marker of what it shows; the live app compares it with the stored one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Subquery

from goodwill.conversations.models import Conversation, Message


@dataclass(frozen=True)
class Marker:
    """What a client last saw: the newest message id and a digest of the fields people act on."""

    message: int
    state: str


# The fields people act on; a change to any of them refreshes the properties panel.
STATE_FIELDS = (
    "status",
    "assignee_id",
    "team_id",
    "priority",
    "subject",
    "need_id",
    "need_met",
    "merged_into_id",
)


def conversation_marker(conversation_id: int) -> Marker:
    """One query: the conversation row by primary key plus MAX(message id) for it, which
    the index on message.conversation_id answers without touching other conversations.

    Ids, not timestamps: imported mail may carry an older date than what is already shown.
    """
    newest = (
        Message.objects.filter(conversation_id=OuterRef("pk"))
        .values("conversation_id")
        .annotate(newest=Max("id"))
        .values("newest")
    )
    row = (
        Conversation.objects.filter(pk=conversation_id)
        .annotate(newest_message=Subquery(newest))
        .values("newest_message", *STATE_FIELDS)
        .first()
    )
    if row is None:
        return Marker(message=0, state="")
    newest_message = row.pop("newest_message") or 0
    return Marker(message=newest_message, state=state_digest(row))


def marker_of(conversation: Conversation, newest_message_id: int) -> Marker:
    """The marker of a conversation already loaded, with the newest message the page shows:
    no query, and exactly what the agent is looking at."""
    return Marker(message=newest_message_id, state=state_marker(conversation))


def state_marker(conversation: Conversation) -> str:
    """The digest of the fields people act on, as loaded (no query)."""
    return state_digest({name: getattr(conversation, name) for name in STATE_FIELDS})


def state_digest(fields: dict[str, object]) -> str:
    return hashlib.sha1(repr(sorted(fields.items())).encode(), usedforsecurity=False).hexdigest()[:16]
