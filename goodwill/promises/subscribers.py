"""The promise ledger's reactions to the event seam (listed in goodwill/subscribers.py)."""

from __future__ import annotations

from goodwill.conversations.models import Message
from goodwill.core.models import Event
from goodwill.promises.services import link_reply


def link_promises_to_reply(event: Event) -> None:
    """`message.replied`: the promises confirmed for that draft now point at the sent reply.
    (Promises confirmed while logging a call stand on their own: no reply carries them.)"""
    if not event.subject_id.isdigit():
        return
    message = Message.objects.select_related("conversation").filter(pk=int(event.subject_id)).first()
    if message is not None:
        link_reply(message)
