"""Quarantine actions for the admin: retry, release anyway, delete."""

from __future__ import annotations

from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from goodwill.accounts.models import Agent
from goodwill.channels.email.intake.directory import mailbox_of
from goodwill.channels.email.intake.inbound import deliver, inbound_message
from goodwill.channels.email.intake.pipeline import process_raw
from goodwill.channels.email.intake.rows import Outcome, _record_details, _set_state
from goodwill.channels.email.intake.storage import max_message_bytes, part_limits, read_raw
from goodwill.channels.email.models import (
    MessageKey,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    Unparseable,
    identity_key,
    parse_email,
)
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import (
    open_conversation,
)
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.services import find_or_create_customer_by_email

State = RawEmail.State


# --- quarantine actions (admin) --------------------------------------------------------------------------


def retry_quarantined(entry: Quarantine, *, by: Agent) -> Outcome:
    """Run the pipeline again (after a fix or a mailbox change)."""
    raw = entry.raw
    with transaction.atomic():
        RawEmail.objects.filter(pk=raw.pk).update(state=State.PENDING)
        raw.state = State.PENDING
        entry.delete()
        outcome = process_raw(raw)
        record_event(
            Event.Kind.OTHER,
            actor=by,
            subject=raw,
            after={"email": "quarantine retried", "state": outcome.state},
        )
    return outcome


def release_quarantined(entry: Quarantine, *, by: Agent) -> Outcome:
    """Import anyway as a new conversation, salvaging what can be read."""
    raw = entry.raw
    data = read_raw(raw)
    with transaction.atomic():
        RawEmail.objects.filter(pk=raw.pk).update(state=State.PENDING)
        raw.state = State.PENDING
        entry_pk = entry.pk
        try:
            parse_email(data, max_bytes=max(max_message_bytes(), len(data) + 1), **part_limits())
            outcome = _release_parseable(raw, data)
        except Unparseable:
            outcome = _release_salvaged(raw, data, entry)
        Quarantine.objects.filter(pk=entry_pk).delete()
        record_event(
            Event.Kind.OTHER,
            actor=by,
            subject=raw,
            after={"email": "quarantine released", "state": outcome.state},
        )
    return outcome


def _release_parseable(raw: RawEmail, data: bytes) -> Outcome:
    parsed = parse_email(data, max_bytes=len(data) + 1, **part_limits())
    customer = find_or_create_customer_by_email(parsed.from_address, name=parsed.from_name)
    mailbox = mailbox_of(raw, parsed)
    conversation, message, _opened = deliver(inbound_message(raw, parsed, mailbox=mailbox, customer=customer))
    _record_details(message, raw, mailbox, parsed)
    MessageKey.objects.get_or_create(
        key=identity_key(parsed, data), defaults={"raw": raw, "message": message}
    )
    _set_state(raw, State.CREATED)
    return Outcome(State.CREATED, conversation, message)


def _release_salvaged(raw: RawEmail, data: bytes, entry: Quarantine) -> Outcome:
    from goodwill.channels.email.parsing import decode_bytes

    sender = entry.sender

    address = parseaddr(sender)[1].lower() if sender else ""
    try:
        customer = find_or_create_customer_by_email(address or "unknown-sender@invalid.goodwill")
    except ValidationError:
        customer = find_or_create_customer_by_email("unknown-sender@invalid.goodwill")
    text = decode_bytes(data[:200_000], "utf-8")
    conversation, message = open_conversation(
        customer=customer,
        subject=entry.subject or "(unreadable email)",
        channel=Conversation.Channel.EMAIL,
        team=entry.mailbox.team if entry.mailbox else None,
        text=text,
        raw_path=raw.path,
        at=raw.received_at,
    )
    MessageKey.objects.get_or_create(key=identity_key(None, data), defaults={"raw": raw, "message": message})
    _set_state(raw, State.CREATED)
    return Outcome(State.CREATED, conversation, message)


def delete_quarantined(entry: Quarantine, *, by: Agent) -> None:
    """Throw the message away; its raw identity stays so the same bytes count as a duplicate."""
    raw = entry.raw
    with transaction.atomic():
        RawEmail.objects.filter(pk=raw.pk).update(state=State.DELETED)
        if raw.path:
            transaction.on_commit(lambda: default_storage.delete(raw.path))
        entry.delete()
        record_event(Event.Kind.OTHER, actor=by, subject=raw, after={"email": "quarantine deleted"})
