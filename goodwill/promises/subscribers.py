"""The promise ledger's reactions to the event seam (listed in goodwill/subscribers.py)."""

from __future__ import annotations

from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event
from goodwill.promises.models import Promise
from goodwill.promises.services import link_reply


def link_promises_to_reply(event: Event) -> None:
    """`message.replied`: the promises confirmed for that draft now point at the sent reply.
    (Promises confirmed while logging a call stand on their own: no reply carries them.)"""
    if not event.subject_id.isdigit():
        return
    message = Message.objects.select_related("conversation").filter(pk=int(event.subject_id)).first()
    if message is not None:
        link_reply(message)


def follow_conversation_team(event: Event) -> None:
    """`conversation.team`: the conversation's promises move to its team now (reports group by it)."""
    if event.conversation_id is None:
        return
    team_id = Conversation.objects.filter(pk=event.conversation_id).values_list("team_id", flat=True).first()
    promises = Promise.objects.filter(conversation_id=event.conversation_id)
    moved = promises.exclude(team__isnull=True) if team_id is None else promises.exclude(team_id=team_id)
    moved.update(team_id=team_id)
