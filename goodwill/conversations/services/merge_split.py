"""Merging conversations and splitting a message off into a new one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import (
    Conversation,
    Message,
)
from goodwill.core.models import Event
from goodwill.core.services import next_value, record_event
from goodwill.core.text import one_line


def merge_conversations(source: Conversation, *, into: Conversation, by: Agent) -> Conversation:
    """Move every message of `source` into `into`, and close `source` pointing at it."""
    require(by, Action.MERGE)
    if source.pk == into.pk:
        raise ValidationError("A conversation cannot be merged into itself.")
    with transaction.atomic():
        moved = Message.objects.filter(conversation=source).update(conversation=into)
        last = into.messages.order_by("-created_at").values_list("created_at", flat=True).first()
        Conversation.objects.filter(pk=into.pk).update(
            message_count=F("message_count") + moved,
            last_message_at=last or into.last_message_at,
            updated_at=timezone.now(),
        )
        source.merged_into = into
        source.status = Conversation.Status.CLOSED
        source.closed_at = timezone.now()
        source.message_count = 0
        source.save(update_fields=["merged_into", "status", "closed_at", "message_count", "updated_at"])
        record_event(
            Event.Kind.MERGED,
            actor=by,
            conversation=into,
            before={"from": source.number},
            after={"into": into.number, "messages": moved},
        )
        record_event(
            Event.Kind.MERGED,
            actor=by,
            conversation=source,
            before={"from": source.number},
            after={"into": into.number, "messages": moved},
        )
    into.refresh_from_db()
    return into


def split_message(message: Message, *, by: Agent, subject: str = "") -> Conversation:
    """Move one message, and everything after it from the same author, into a new conversation."""
    require(by, Action.SPLIT)
    source = message.conversation
    if source.messages.count() < 2:
        raise ValidationError("A conversation with one message cannot be split.")
    with transaction.atomic():
        new = Conversation.objects.create(
            number=next_value("conversation"),
            subject=one_line(subject, 300) or source.subject,
            channel=message.channel,
            customer=message.author_customer or source.customer,
            team=source.team,
            priority=source.priority,
            status=Conversation.Status.OPEN,
            last_message_at=message.created_at,
            last_inbound_at=message.created_at if message.direction == Message.Direction.INBOUND else None,
            waiting_since=message.created_at if message.direction == Message.Direction.INBOUND else None,
            message_count=1,
        )
        Message.objects.filter(pk=message.pk).update(conversation=new)
        remaining = source.messages.order_by("-created_at").values_list("created_at", flat=True)
        Conversation.objects.filter(pk=source.pk).update(
            message_count=F("message_count") - 1,
            last_message_at=remaining.first() or source.last_message_at,
            updated_at=timezone.now(),
        )
        record_event(
            Event.Kind.SPLIT, actor=by, conversation=source, after={"new": new.number, "message": message.pk}
        )
        record_event(
            Event.Kind.SPLIT,
            actor=by,
            conversation=new,
            before={"from": source.number},
            after={"new": new.number},
        )
    return new
