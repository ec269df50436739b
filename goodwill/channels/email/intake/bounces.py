"""Delivery reports for mail we sent."""

from __future__ import annotations

from django.utils import timezone

from goodwill.channels.email.intake.directory import _current_directory
from goodwill.channels.email.intake.quarantine import _quarantine
from goodwill.channels.email.intake.rows import Outcome, _claim_key, _record_details, _set_state
from goodwill.channels.email.models import (
    Acknowledgement,
    EmailDetails,
    Mailbox,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
)
from goodwill.conversations.models import Message
from goodwill.conversations.services import (
    add_note,
)
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Identity

State = RawEmail.State


# --- bounces --------------------------------------------------------------------------------------


def _take_bounce(raw: RawEmail, parsed: ParsedEmail, key: str, mailbox: Mailbox | None) -> Outcome:
    """A delivery report: mark the address failing and note it on the conversation it belongs to."""
    bounce = parsed.bounce
    assert bounce is not None
    now = timezone.now()
    if bounce.recipients:
        Identity.objects.filter(
            kind=Identity.Kind.EMAIL, value__in=bounce.recipients, failing_since__isnull=True
        ).update(failing_since=now)
    conversation = None
    original = None
    if bounce.original_message_id:
        original = (
            EmailDetails.objects.filter(message_id_header=bounce.original_message_id)
            .select_related("message__conversation")
            .first()
        )
        if original is not None:
            conversation = original.message.conversation
        else:
            ack = Acknowledgement.objects.filter(message_id=bounce.original_message_id).first()
            conversation = ack.conversation if ack else None
    if conversation is None:
        detail = f"failed recipients: {', '.join(bounce.recipients) or 'unknown'}; {bounce.diagnostic}"
        return Outcome(_quarantine(raw, Quarantine.Reason.BOUNCE, detail, mailbox=mailbox, parsed=parsed))
    diagnostic = bounce.diagnostic or "the receiving server gave no reason"
    if original is not None and original.message.direction == Message.Direction.OUTBOUND:
        Message.objects.filter(pk=original.message_id).update(
            delivery=Message.Delivery.BOUNCED, delivery_error=diagnostic[:2000]
        )
    note = add_note(
        conversation,
        by=None,
        text=f"Mail to {', '.join(bounce.recipients) or 'the customer'} bounced: {diagnostic}",
        at=raw.received_at,
    )
    _record_details(note, raw, mailbox, parsed)
    record_event(
        Event.Kind.EMAIL_FAILED,
        conversation=conversation,
        subject=note,
        after={"recipients": bounce.recipients, "diagnostic": diagnostic[:500]},
    )
    _claim_key(key, raw, note)
    _set_state(raw, State.APPENDED)
    _current_directory().note(key, parsed.from_address, None, (parsed.message_id[:500], conversation.pk))
    return Outcome(State.APPENDED, conversation, note)
