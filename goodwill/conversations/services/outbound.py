"""Conversations an agent starts: the team writes first (a follow-up, a check-in, news for one customer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation
from goodwill.conversations.services.properties import check_team_for
from goodwill.conversations.services.replies import add_reply
from goodwill.core.models import Event
from goodwill.core.services import next_value, record_event
from goodwill.core.text import one_line
from goodwill.customers.models import Customer, Identity


def channel_for(customer: Customer) -> str:
    """Email when the customer has an address, else phone (the reply is then a logged call note)."""
    has_email = customer.identities.filter(kind=Identity.Kind.EMAIL).exists()
    return Conversation.Channel.EMAIL if has_email else Conversation.Channel.PHONE


def open_outbound_conversation(
    customer: Customer,
    *,
    by: Agent,
    subject: str,
    text: str,
    team: Team | None = None,
    priority: int | None = None,
    status: str = Conversation.Status.PENDING,
    at: datetime | None = None,
    opened_because: dict[str, Any] | None = None,
) -> Conversation:
    """Open a conversation with the agent's first message and deliver it like any reply.

    The conversation is assigned to the agent and left pending (waiting on the customer).
    `last_inbound_at` and `waiting_since` stay empty: nobody is waiting on the team until the
    customer answers, so service targets start then. `opened_because` is stored on the
    `conversation.opened` event (e.g. `{"outreach": "churn"}`) for features that react to it.
    """
    require(by, Action.REPLY)
    check_team_for(by, team)
    subject = one_line(subject, 300)
    text = text.strip()
    errors = {}
    if not subject:
        errors["subject"] = "Give the conversation a subject."
    if not text:
        errors["text"] = "Write the message to send."
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    with transaction.atomic():
        conversation = Conversation(
            number=next_value("conversation"),
            subject=subject,
            channel=channel_for(customer),
            customer=customer,
            team=team,
            assignee=by,
            **({"priority": priority} if priority is not None else {}),
            status=Conversation.Status.NEW,
            last_message_at=at,
            message_count=0,
            created_at=at,
            updated_at=at,
        )
        conversation.save_base(raw=True, force_insert=True)
        record_event(
            Event.Kind.CONVERSATION_OPENED,
            actor=by,
            conversation=conversation,
            subject=conversation,
            at=at,
            after={
                "channel": conversation.channel,
                "subject": conversation.subject,
                "outbound": True,
                **(opened_because or {}),
            },
        )
        add_reply(conversation, by=by, text=text, status=status, at=at)
    conversation.refresh_from_db()
    return conversation
