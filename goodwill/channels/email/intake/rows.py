"""The rows one email leaves behind: its final state, its details and its identity key."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from goodwill.channels.email.models import (
    EmailDetails,
    Mailbox,
    MessageKey,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
)
from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event

State = RawEmail.State

# The timeline events the intake writes, named once here (core may rename its kinds).
QUARANTINED_EVENT = Event.Kind.INTAKE_QUARANTINED
DELIVERY_FAILED_EVENT = Event.Kind.DELIVERY_FAILED


class _AlreadyProcessed(Exception):
    pass


class _Duplicate(Exception):
    pass


def _set_state(raw: RawEmail, state: str) -> None:
    """Move a pending raw email to its final state; fails if someone else got there first."""
    updated = RawEmail.objects.filter(pk=raw.pk, state=State.PENDING).update(
        state=state, processed_at=timezone.now(), attempts=raw.attempts + 1
    )
    if not updated:
        raise _AlreadyProcessed
    raw.state = state


@dataclass
class Outcome:
    state: str
    conversation: Conversation | None = None
    message: Message | None = None


def _claim_key(key: str, raw: RawEmail, message: Message | None) -> None:
    """The constraint that makes doubles impossible; a clash rolls back the message's savepoint."""
    MessageKey.objects.create(key=key, raw=raw, message=message)


def _record_details(
    message: Message, raw: RawEmail | None, mailbox: Mailbox | None, parsed: ParsedEmail
) -> None:
    _details_row(message, raw, mailbox, parsed).save(force_insert=True)


def _details_row(
    message: Message, raw: RawEmail | None, mailbox: Mailbox | None, parsed: ParsedEmail
) -> EmailDetails:
    return EmailDetails(
        message=message,
        raw=raw,
        mailbox=mailbox,
        message_id_header=parsed.message_id[:500],
        in_reply_to=" ".join(parsed.in_reply_to)[:500],
        references=" ".join(parsed.references),
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        to=parsed.to,
        cc=parsed.cc,
        reply_to=parsed.reply_to[:500],
        subject=parsed.subject[:500],
        date=parsed.date,
        robot=parsed.robot,
        robot_reason=parsed.robot_reason[:200],
    )
