"""One message: parse → de-duplicate → thread → append (or quarantine)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from goodwill.channels.email.intake.acknowledge import _maybe_acknowledge
from goodwill.channels.email.intake.bounces import _take_bounce
from goodwill.channels.email.intake.directory import (
    _batch_directory,
    _current_directory,
    _directory,
    _own_addresses,
    _team_for,
    mailbox_for_addresses,
)
from goodwill.channels.email.intake.quarantine import _headers_for_quarantine, _quarantine
from goodwill.channels.email.intake.rows import (
    Outcome,
    _AlreadyProcessed,
    _claim_key,
    _Duplicate,
    _record_details,
    _set_state,
)
from goodwill.channels.email.intake.storage import max_message_bytes, read_raw
from goodwill.channels.email.intake.threading import find_conversation
from goodwill.channels.email.models import (
    EmailDetails,
    Mailbox,
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
    receive_message,
)
from goodwill.customers.services import find_or_create_customer_by_email

logger = logging.getLogger("goodwill.email")

State = RawEmail.State


DEFAULT_SENDER_LIMIT = 120


def process_raw(raw: RawEmail, *, data: bytes | None = None, force_new: bool = False) -> Outcome:
    """Turn one stored raw email into a conversation message, a duplicate or a quarantine entry.

    Idempotent and safe to run twice at once. Database errors propagate (the caller
    retries); any other failure quarantines the message with the error as its reason.
    """
    if raw.state != State.PENDING:
        return Outcome(raw.state)
    if _directory.get() is None:
        with _batch_directory():
            return process_raw(raw, data=data, force_new=force_new)
    try:
        if data is None:
            data = read_raw(raw)
    except OSError as error:
        return Outcome(
            _quarantine(raw, Quarantine.Reason.ERROR, f"raw file unreadable: {error}", mailbox=raw.mailbox)
        )
    directory = _current_directory()
    try:
        with transaction.atomic():
            outcome = _process(raw, data, force_new=force_new)
        directory.settle(kept=True)
        return outcome
    except _AlreadyProcessed:
        directory.settle(kept=False)
        raw.refresh_from_db()
        return Outcome(raw.state)
    except (_Duplicate, IntegrityError) as error:
        directory.settle(kept=False)
        if (
            isinstance(error, IntegrityError)
            and not MessageKey.objects.filter(key=_key_of(raw, data)).exists()
        ):
            raise
        try:
            with transaction.atomic():
                _set_state(raw, State.DUPLICATE)
        except _AlreadyProcessed:
            raw.refresh_from_db()
        return Outcome(raw.state)
    except DatabaseError:
        directory.settle(kept=False)
        raise
    except Exception as error:
        directory.settle(kept=False)
        logger.exception("processing raw email %s failed", raw.pk)
        raw.state = State.PENDING
        sender, subject, _recipients = _headers_for_quarantine(data)
        try:
            return Outcome(
                _quarantine(
                    raw,
                    Quarantine.Reason.ERROR,
                    f"{type(error).__name__}: {error}",
                    mailbox=raw.mailbox,
                    sender=sender,
                    subject=subject,
                )
            )
        except _AlreadyProcessed:
            raw.refresh_from_db()
            return Outcome(raw.state)


def _key_of(raw: RawEmail, data: bytes) -> str:
    try:
        return identity_key(parse_email(data, max_bytes=len(data) + 1), data)
    except Unparseable:
        return identity_key(None, data)


def _sender_over_limit(address: str, mailbox: Mailbox | None) -> bool:
    limit = mailbox.max_messages_per_sender_per_hour if mailbox else DEFAULT_SENDER_LIMIT
    if not limit:
        return False
    counts = _current_directory().sender_counts
    if address in counts:
        return counts[address] >= limit
    since = timezone.now() - timedelta(hours=1)
    recent = EmailDetails.objects.filter(from_address=address, created_at__gte=since)
    return recent[:limit].count() >= limit


def _process(raw: RawEmail, data: bytes, *, force_new: bool = False) -> Outcome:
    directory = _current_directory()
    try:
        parsed = directory.parsed.pop(raw.pk, None) or parse_email(data, max_bytes=max_message_bytes())
    except Unparseable as problem:
        sender, subject, recipients = _headers_for_quarantine(data)
        mailbox = raw.mailbox or mailbox_for_addresses([*raw.envelope_to, *recipients])
        return Outcome(
            _quarantine(raw, problem.reason, problem.detail, mailbox=mailbox, sender=sender, subject=subject)
        )
    mailbox = raw.mailbox or mailbox_for_addresses(
        [*raw.envelope_to, *parsed.delivered_to, *parsed.to, *parsed.cc]
    )
    key = identity_key(parsed, data)
    if key in directory.keys_checked:
        if key in directory.keys_taken:
            raise _Duplicate
    elif MessageKey.objects.filter(key=key).exists():
        raise _Duplicate
    if parsed.robot == "bounce":
        return _take_bounce(raw, parsed, key, mailbox)
    if not force_new:
        if parsed.from_address in _own_addresses():
            return Outcome(
                _quarantine(
                    raw,
                    Quarantine.Reason.LOOP,
                    "sent from one of our own addresses",
                    mailbox=mailbox,
                    parsed=parsed,
                )
            )
        if _sender_over_limit(parsed.from_address, mailbox):
            return Outcome(
                _quarantine(
                    raw,
                    Quarantine.Reason.LOOP,
                    "more mail from this sender in the last hour than the mailbox allows",
                    mailbox=mailbox,
                    parsed=parsed,
                )
            )
    try:
        customer = directory.customers.get(parsed.from_address)
        if customer is None or (parsed.from_name and not customer.name):
            customer = find_or_create_customer_by_email(parsed.from_address, name=parsed.from_name)
    except ValidationError as error:
        return Outcome(
            _quarantine(
                raw,
                Quarantine.Reason.NO_FROM,
                f"sender address not usable: {'; '.join(error.messages)}",
                mailbox=mailbox,
                parsed=parsed,
            )
        )
    conversation, _how = (None, "") if force_new else find_conversation(parsed, mailbox)
    at = parsed.date if (raw.source == RawEmail.Source.FILE and parsed.date) else raw.received_at
    common: dict[str, Any] = {
        "customer": customer,
        "text": parsed.text,
        "html": parsed.html,
        "new_text": parsed.new_text,
        "message_id": parsed.message_id[:500],
        "raw_path": raw.path,
        "at": at,
        "attachments": parsed.attachments,
    }
    if conversation is None:
        conversation, message = open_conversation(
            subject=parsed.subject,
            channel=Conversation.Channel.EMAIL,
            team=_team_for(mailbox, parsed, raw.envelope_to),
            **common,
        )
        state = State.CREATED
    else:
        message = receive_message(conversation, channel=Conversation.Channel.EMAIL, **common)
        state = State.APPENDED
    _record_details(message, raw, mailbox, parsed)
    _claim_key(key, raw, message)
    _set_state(raw, state)
    directory.note(key, parsed.from_address, customer, (parsed.message_id[:500], conversation.pk))
    if state == State.CREATED and parsed.robot == "":
        _maybe_acknowledge(conversation, parsed, mailbox)
    return Outcome(state, conversation, message)
