"""Opening recovery cases: once per failure, whoever calls (a subscriber retried, two workers, a click)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer
from goodwill.recovery.models import RecoveryCase


def open_case(
    customer: Customer,
    *,
    trigger: str,
    source_key: str,
    reason: str,
    conversation: Conversation | None = None,
    team: Team | None = None,
    owner: Agent | None = None,
    by: Agent | None = None,
    due_at: datetime | None = None,
) -> tuple[RecoveryCase, bool]:
    """The case for this failure (`source_key`), and whether this call opened it.

    Idempotent: a second call with the same `source_key` returns the existing case and changes
    nothing, also when two processes race (the unique key decides; the loser reads the winner's row).
    """
    existing = RecoveryCase.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    if team is None and conversation is not None:
        team = conversation.team
    if owner is None and conversation is not None:
        owner = conversation.assignee
    try:
        with transaction.atomic():
            case = RecoveryCase.objects.create(
                customer=customer,
                conversation=conversation,
                team=team,
                trigger=trigger,
                source_key=source_key,
                reason=reason[:300],
                owner=owner,
                opened_by=by,
                due_at=due_at,
            )
            record_event(
                Event.Kind.RECOVERY_OPENED,
                actor=by,
                customer=customer,
                conversation=conversation,
                subject=case,
                after={"trigger": trigger, "reason": case.reason},
            )
    except IntegrityError:
        return RecoveryCase.objects.get(source_key=source_key), False
    return case, True
