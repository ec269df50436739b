"""Agents writing on a conversation: replies to the customer, internal notes, logged contacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.delivery import transport_for
from goodwill.conversations.models import (
    Conversation,
    Message,
)
from goodwill.conversations.services.attachments import NewAttachment, store_attachments
from goodwill.conversations.services.inbound import open_conversation, receive_message
from goodwill.conversations.services.properties import change_status
from goodwill.conversations.tasks import deliver_reply
from goodwill.core.html import sanitise_html
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer


def add_reply(
    conversation: Conversation,
    *,
    by: Agent,
    text: str,
    html: str = "",
    status: str | None = None,
    attachments: Sequence[NewAttachment] = (),
    at: datetime | None = None,
) -> Message:
    """An agent answers the customer. The worker delivers it when a transport accepts the
    conversation (`conversations.delivery.transport_for`); otherwise it is only stored."""
    require(by, Action.REPLY)
    text = text.strip()
    if not text and not attachments:
        raise ValidationError("A reply needs some text.")
    at = at or timezone.now()
    transport = transport_for(conversation)
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.REPLY,
            channel=conversation.channel,
            author_agent=by,
            text=text,
            new_text=text,
            html=sanitise_html(html) if html else "",
            delivery=Message.Delivery.QUEUED if transport else Message.Delivery.NONE,
            created_at=at,
        )
        store_attachments(message, attachments)
        updates: dict[str, Any] = {
            "message_count": F("message_count") + 1,
            "last_message_at": at,
            "waiting_since": None,
            "updated_at": timezone.now(),
        }
        if conversation.first_response_at is None:
            updates["first_response_at"] = at
        if conversation.assignee_id is None:
            updates["assignee"] = by
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        conversation.refresh_from_db()
        record_event(Event.Kind.REPLY_SENT, actor=by, conversation=conversation, subject=message, at=at)
        new_status = status or (
            Conversation.Status.OPEN if conversation.status == Conversation.Status.NEW else None
        )
        if new_status and new_status != conversation.status:
            change_status(conversation, new_status, by=by)
    if transport is not None:
        name = transport.name
        transaction.on_commit(lambda: deliver_reply.enqueue(message.pk, name))
    return message


def add_note(
    conversation: Conversation,
    *,
    by: Agent | None,
    text: str,
    at: datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """An internal note: only agents see it. Light agents may add notes; `by=None` is the system."""
    text = text.strip()
    if not text and not attachments:
        raise ValidationError("A note needs some text.")
    at = at or timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.INTERNAL,
            kind=Message.Kind.NOTE,
            channel=conversation.channel,
            author_agent=by,
            text=text,
            new_text=text,
            created_at=at,
        )
        store_attachments(message, attachments)
        Conversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 1, updated_at=timezone.now()
        )
        conversation.refresh_from_db()
        record_event(Event.Kind.NOTE_ADDED, actor=by, conversation=conversation, subject=message, at=at)
    return message


def log_contact(
    *,
    by: Agent,
    customer: Customer,
    kind: str,
    text: str,
    subject: str = "",
    conversation: Conversation | None = None,
    at: datetime | None = None,
) -> tuple[Conversation, Message]:
    """An agent logs a phone call or walk-in: a new conversation, or a message on an existing one."""
    if kind not in (Message.Kind.PHONE, Message.Kind.WALK_IN):
        raise ValidationError("Only phone calls and walk-ins are logged this way.")
    require(by, Action.LOG_CONTACT)
    channel = Conversation.Channel.PHONE if kind == Message.Kind.PHONE else Conversation.Channel.WALK_IN
    if conversation is None:
        return open_conversation(
            customer=customer, subject=subject, channel=channel, text=text, kind=kind, by=by, at=at
        )
    message = receive_message(
        conversation, customer=customer, text=text, channel=channel, kind=kind, by=by, at=at
    )
    return conversation, message
