"""Asking another team for help: a linked internal request, and telling the asker what happened."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.notifications import notify
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.models import Event
from goodwill.core.text import one_line
from goodwill.customers.services import find_or_create_internal_customer
from goodwill.internal.models import LinkedRequest


def ask_team(origin: Conversation, *, by: Agent, team: Team, subject: str, text: str) -> LinkedRequest:
    """Open an internal request to `team`, from `by` as a colleague, linked to `origin`."""
    require(by, Action.NOTE)
    errors: dict[str, str] = {}
    if not team.accepts_internal_requests:
        errors["team"] = f"{team.name} does not take internal requests."
    elif origin.team_id == team.pk:
        errors["team"] = "This conversation is already with that team."
    if not text.strip():
        errors["text"] = "Say what you need from them."
    if errors:
        raise ValidationError(errors)
    subject = one_line(subject, 300) or f"Help with #{origin.number}: {origin.subject}"
    with transaction.atomic():
        colleague = find_or_create_internal_customer(by.email, name=by.name)
        request, _message = open_conversation(
            customer=colleague, subject=subject, channel=Conversation.Channel.INTERNAL,
            text=f"{text.strip()}\n\n(Asked from conversation #{origin.number}.)", team=team,
        )
        return LinkedRequest.objects.create(origin=origin, request=request, asked_by=by)


def tell_asker(event: Event) -> None:
    """Subscriber: the asker hears when their request is answered or solved (once per event)."""
    link = (
        LinkedRequest.objects.select_related("asked_by", "request", "origin")
        .filter(request_id=event.conversation_id)
        .first()
    )
    if link is None or link.asked_by is None:
        return
    kind = event.kind
    if kind == "message.replied":
        title = f"{link.request.team or 'The team'} answered your request #{link.request.number}"
    elif kind == "conversation.status" and (event.after or {}).get("status") == "solved":
        title = f"Your request #{link.request.number} to {link.request.team or 'the team'} is solved"
    else:
        return
    notify([link.asked_by], key=f"internal:{event.pk}", kind="internal", title=title,
           body=f"About #{link.origin.number} {link.origin.subject}",
           url=reverse("conversations:detail", args=[link.origin.number]))
