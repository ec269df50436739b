"""One message: parse → de-duplicate → thread → append (or quarantine)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from goodwill.channels.email.identities import clear_failing
from goodwill.channels.email.intake.acknowledge import _maybe_acknowledge
from goodwill.channels.email.intake.bounces import _take_bounce
from goodwill.channels.email.intake.directory import (
    _batch_directory,
    _current_directory,
    _directory,
    _own_addresses,
    mailbox_for_addresses,
    mailbox_of,
    sender_over_limit,
)
from goodwill.channels.email.intake.inbound import deliver, inbound_message
from goodwill.channels.email.intake.quarantine import _headers_for_quarantine, _quarantine
from goodwill.channels.email.intake.rows import (
    Outcome,
    _AlreadyProcessed,
    _claim_key,
    _Duplicate,
    _record_details,
    _set_state,
)
from goodwill.channels.email.intake.storage import max_message_bytes, part_limits, read_raw
from goodwill.channels.email.intake.threading import find_conversation, link_stranger
from goodwill.channels.email.models import (
    Mailbox,
    MessageKey,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
    Unparseable,
    identity_key,
    parse_email,
)
from goodwill.customers.services import find_or_create_customer_by_email

logger = logging.getLogger("goodwill.email")

State = RawEmail.State


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
        return identity_key(parse_email(data, max_bytes=len(data) + 1, **part_limits()), data)
    except Unparseable:
        return identity_key(None, data)


def _process(raw: RawEmail, data: bytes, *, force_new: bool = False) -> Outcome:
    directory = _current_directory()
    try:
        parsed = directory.parsed.pop(raw.pk, None) or parse_email(
            data, max_bytes=max_message_bytes(), **part_limits()
        )
    except Unparseable as problem:
        sender, subject, recipients = _headers_for_quarantine(data)
        mailbox = raw.mailbox or mailbox_for_addresses([*raw.envelope_to, *recipients])
        return Outcome(
            _quarantine(raw, problem.reason, problem.detail, mailbox=mailbox, sender=sender, subject=subject)
        )
    mailbox = mailbox_of(raw, parsed)
    key = identity_key(parsed, data)
    if key in directory.keys_checked:
        if key in directory.keys_taken:
            raise _Duplicate
    elif MessageKey.objects.filter(key=key).exists():
        raise _Duplicate
    if parsed.robot == "bounce":
        return _take_bounce(raw, parsed, key, mailbox)
    refusal = "" if force_new else _loop_refusal(parsed, mailbox)
    if refusal:
        return Outcome(_quarantine(raw, Quarantine.Reason.LOOP, refusal, mailbox=mailbox, parsed=parsed))
    try:
        customer = directory.customers.get(parsed.from_address)
        if customer is None or (parsed.from_name and not customer.name):
            customer = find_or_create_customer_by_email(parsed.from_address, name=parsed.from_name)
    except ValidationError as error:
        detail = f"sender address not usable: {'; '.join(error.messages)}"
        return Outcome(_quarantine(raw, Quarantine.Reason.NO_FROM, detail, mailbox=mailbox, parsed=parsed))
    conversation, how = (None, "") if force_new else find_conversation(parsed, mailbox)
    answered = conversation if how == "stranger" else None
    if answered is not None:
        conversation = None
    item = inbound_message(raw, parsed, mailbox=mailbox, customer=customer, conversation=conversation)
    conversation, message, opened = deliver(item)
    if answered is not None:
        link_stranger(answered, conversation, sender=parsed.from_address, at=item.at)
    state = State.CREATED if opened else State.APPENDED
    _record_details(message, raw, mailbox, parsed)
    clear_failing(parsed.from_address)  # mail from the address: it works
    _claim_key(key, raw, message)
    _set_state(raw, state)
    directory.note(
        key,
        parsed.from_address,
        customer,
        (parsed.message_id[:500], conversation.pk, conversation.customer_id),
    )
    if opened and parsed.robot == "":
        _maybe_acknowledge(conversation, raw, parsed, mailbox)
    return Outcome(state, conversation, message)


def _loop_refusal(parsed: ParsedEmail, mailbox: Mailbox | None) -> str:
    """Why a message looks like part of a mail loop ("" when it does not)."""
    if parsed.from_address in _own_addresses():
        return "sent from one of our own addresses"
    if sender_over_limit(parsed.from_address, mailbox):
        return "more mail from this sender in the last hour than the mailbox allows"
    return ""
