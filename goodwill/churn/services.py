"""Changes: rebuild on demand, team settings, reaching out (an outbound conversation), recovery."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.churn.models import ChurnEntry, ChurnRun, ChurnSettings, Outreach
from goodwill.churn.selectors import may_lead, recovery_key
from goodwill.churn.watch import rebuild_watch
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_outbound_conversation
from goodwill.core.text import one_line
from goodwill.recovery.models import RecoveryCase
from goodwill.recovery.services import open_case


def rebuild_now(*, by: Agent, now: datetime | None = None) -> ChurnRun:
    """A lead's "Recompute now" button."""
    if not may_lead(by):
        raise PermissionDenied("Only team leads and admins recompute the churn watch.")
    return rebuild_watch(now or timezone.now(), trigger="button", by=by)


def settings_for(team: Team) -> ChurnSettings:
    return ChurnSettings.objects.filter(team=team).first() or ChurnSettings(team=team)


def save_settings(settings: ChurnSettings, *, by: Agent) -> ChurnSettings:
    if not may_lead(by, settings.team):
        raise PermissionDenied("Only this team's leads and admins change its churn watch settings.")
    settings.full_clean()
    settings.save()
    return settings


def outreach_text(entry: ChurnEntry, agent: Agent) -> tuple[str, str]:
    """A subject and a first message for the agent to edit: warm, and no internal reasons in it."""
    customer = entry.customer
    name = customer.greeting_name
    last = entry.last_conversation
    subject = f"Checking in about {last.subject}"[:300]
    text = (
        f"Hello{' ' + name if name else ''},\n\n"
        f"It has been a while since we last spoke about “{last.subject}”, and I wanted to check that "
        "everything is now as it should be. If anything is still not right, just answer this message "
        "and I will take care of it personally.\n\n"
        f"Best wishes,\n{agent.display_name}"
    )
    return subject, text


def start_outreach(
    entry: ChurnEntry, *, by: Agent, subject: str, text: str, at: datetime | None = None
) -> Conversation:
    """Open an outbound conversation to the listed customer with the agent's message, and mark the row.

    `last_inbound_at` stays empty: until the customer answers, this conversation is no
    contact of theirs in the rhythm.
    """
    require(by, Action.REPLY)
    if not text.strip():
        raise ValidationError({"text": "Write the message to send."})
    at = at or timezone.now()
    with transaction.atomic():
        conversation = open_outbound_conversation(
            entry.customer,
            by=by,
            subject=one_line(subject, 300) or outreach_text(entry, by)[0],
            text=text,
            team=entry.team,
            at=at,
            opened_because={"outreach": "churn"},
        )
        Outreach.objects.create(
            customer=entry.customer,
            conversation=conversation,
            after_conversation=entry.last_conversation,
            by=by,
            created_at=at,
        )
    return conversation


def open_recovery(entry: ChurnEntry, *, by: Agent) -> tuple[RecoveryCase, bool]:
    """Open (once) the recovery case for this customer's bad last experience."""
    require(by, Action.REPLY)
    return open_case(
        entry.customer,
        trigger=RecoveryCase.Trigger.CHURN_RISK,
        source_key=recovery_key(entry.customer_id, entry.last_conversation_id),
        reason=entry.reason,
        conversation=entry.last_conversation,
        team=entry.team,
        by=by,
    )
