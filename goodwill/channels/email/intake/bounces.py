"""Delivery reports for mail we sent."""

from __future__ import annotations

from django.utils import timezone

from goodwill.channels.email.intake.directory import _current_directory
from goodwill.channels.email.intake.quarantine import _quarantine
from goodwill.channels.email.intake.rows import (
    DELIVERY_FAILED_EVENT,
    Outcome,
    _claim_key,
    _record_details,
    _set_state,
)
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
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    add_note,
)
from goodwill.core.services import record_event
from goodwill.customers.models import Identity

State = RawEmail.State


def _our_message(message_id: str) -> tuple[Conversation | None, EmailDetails | None, list[str]]:
    """The conversation, details and recipients of the mail of ours a report refers to."""
    if not message_id:
        return None, None, []
    original = (
        EmailDetails.objects.filter(
            message_id_header=message_id, message__direction=Message.Direction.OUTBOUND
        )
        .select_related("message__conversation")
        .first()
    )
    if original is not None:
        return original.message.conversation, original, [*original.to, *original.cc]
    ack = Acknowledgement.objects.filter(message_id=message_id).select_related("conversation").first()
    if ack is not None:
        return ack.conversation, None, [ack.address]
    return None, None, []


def _take_bounce(raw: RawEmail, parsed: ParsedEmail, key: str, mailbox: Mailbox | None) -> Outcome:
    """A delivery report about mail we sent: mark its failed recipients and note it on the conversation.

    Only a report that names a Message-ID of ours may mark an address; anyone can send a
    report naming any address, so one we cannot link is quarantined and marks nothing.
    """
    bounce = parsed.bounce
    assert bounce is not None
    conversation, original, sent_to = _our_message(bounce.original_message_id)
    if conversation is None:
        detail = (
            f"refers to no message we sent; failed recipients: {', '.join(bounce.recipients) or 'unknown'}; "
            f"{bounce.diagnostic}"
        )
        return Outcome(_quarantine(raw, Quarantine.Reason.BOUNCE, detail, mailbox=mailbox, parsed=parsed))
    failed = (
        [address for address in bounce.recipients if address in sent_to] if bounce.recipients else sent_to
    )
    Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=failed, failing_since__isnull=True).update(
        failing_since=timezone.now()
    )
    diagnostic = bounce.diagnostic or "the receiving server gave no reason"
    if original is not None:
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
        DELIVERY_FAILED_EVENT,
        conversation=conversation,
        subject=note,
        after={"recipients": bounce.recipients, "diagnostic": diagnostic[:500]},
    )
    _claim_key(key, raw, note)
    _set_state(raw, State.APPENDED)
    _current_directory().note(
        key, parsed.from_address, None, (parsed.message_id[:500], conversation.pk, conversation.customer_id)
    )
    return Outcome(State.APPENDED, conversation, note)
