"""The inbound email pipeline: store raw (committed) → parse → de-duplicate → thread → append.

Every door (ingest-email, smtpd, fetchmail) calls `store_raw` and commits before it
acknowledges anything, then `process_raw` (idempotent: a processed RawEmail is left
alone, and the MessageKey constraint stops doubles even under races). What cannot be
taken in is quarantined with its reason; nothing is dropped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.channels.email.models import (
    Acknowledgement,
    EmailDetails,
    Mailbox,
    MessageKey,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    DEFAULT_MAX_BYTES,
    ParsedEmail,
    Unparseable,
    identity_key,
    parse_email,
)
from goodwill.channels.email.threads import SUBJECT_TAG_RE, find_conversation, live_conversation
from goodwill.channels.email.writelock import intake_write_lock
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    InboundMessage,
    add_note,
    open_conversation,
    receive_message,
    receive_messages_in_bulk,
)
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer, Identity
from goodwill.customers.services import create_customers_by_email, find_or_create_customer_by_email

logger = logging.getLogger("goodwill.email")

ACK_QUIET_PERIOD = timedelta(hours=6)
DEFAULT_SENDER_LIMIT = 120

State = RawEmail.State


def max_message_bytes() -> int:
    return int(getattr(settings, "GOODWILL_EMAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


# --- raw storage ------------------------------------------------------------------------


def printable(value: str) -> str:
    """Envelope text from the network, safe for any database column."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in value if ch.isprintable())


def raw_name(sha256: str) -> str:
    return f"raw/{sha256[:2]}/{sha256}.eml"


def _write_raw_file(sha256: str, data: bytes) -> str:
    name = raw_name(sha256)
    if isinstance(default_storage, FileSystemStorage):
        return _write_raw_file_locally(name, data)
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def _write_raw_file_locally(name: str, data: bytes) -> str:
    """Content-addressed, so a file already there is ours; a new one appears whole (rename) or not at all."""
    path = default_storage.path(name)
    if os.path.exists(path):
        return name
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, f".incoming-{uuid.uuid4().hex}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        mode = getattr(default_storage, "file_permissions_mode", None)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    return name


def read_raw(raw: RawEmail) -> bytes:
    with default_storage.open(raw.path, "rb") as handle:
        return handle.read()


def store_raw(
    data: bytes,
    *,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_from: str = "",
    envelope_to: Iterable[str] = (),
) -> tuple[RawEmail, bool]:
    """Keep the bytes (content-addressed) and their row; (row, False) when we had them already.

    The caller commits before acknowledging the message to whoever sent it.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    existing = RawEmail.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    path = _write_raw_file(sha256, data)
    try:
        with transaction.atomic():
            raw = RawEmail.objects.create(
                sha256=sha256,
                path=path,
                size=len(data),
                source=source,
                mailbox=mailbox,
                envelope_from=printable(envelope_from)[:500],
                envelope_to=[printable(address)[:500] for address in envelope_to][:100],
                received_at=timezone.now(),
            )
    except IntegrityError:
        return RawEmail.objects.get(sha256=sha256), False
    return raw, True


# --- mailboxes ------------------------------------------------------------------------------


def base_address(address: str) -> str:
    """support+gw-12-abc@example.com → support@example.com"""
    local, _, domain = address.lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


@dataclass
class _Directory:
    """Mailboxes and team addresses, read once per batch instead of once per message."""

    mailboxes: dict[str, Mailbox]
    teams: dict[str, Team]
    own: set[str]
    # Read ahead for a batch (see _read_ahead); what a message's savepoint adds is noted in
    # `pending` and only counted once that savepoint is released.
    parsed: dict[int, ParsedEmail] = field(default_factory=dict)  # by RawEmail pk
    keys_checked: set[str] = field(default_factory=set)  # MessageKeys whose existence we know...
    keys_taken: set[str] = field(default_factory=set)  # ...and those of them that exist
    sender_counts: dict[str, int] = field(default_factory=dict)  # EmailDetails in the last hour
    customers: dict[str, Customer] = field(default_factory=dict)  # by email address
    threads: dict[str, int] = field(default_factory=dict)  # Message-ID header → conversation pk
    threads_checked: set[str] = field(default_factory=set)  # Message-IDs looked up (found or not)
    # key, sender, customer, (Message-ID, conversation pk)
    pending: list[tuple[str, str, Customer | None, tuple[str, int] | None]] = field(default_factory=list)

    def note(
        self, key: str, sender: str, customer: Customer | None, thread: tuple[str, int] | None = None
    ) -> None:
        self.pending.append((key, sender, customer, thread))

    def settle(self, kept: bool) -> None:
        """The message's savepoint was released (kept) or rolled back."""
        if kept:
            for key, sender, customer, thread in self.pending:
                self.keys_checked.add(key)
                self.keys_taken.add(key)
                if sender in self.sender_counts:
                    self.sender_counts[sender] += 1
                if customer is not None and sender:
                    self.customers[sender] = customer
                if thread is not None and thread[0]:
                    self.threads[thread[0]] = thread[1]
                    self.threads_checked.add(thread[0])
        self.pending.clear()

    @classmethod
    def load(cls) -> _Directory:
        mailboxes = {
            m.address.lower(): m for m in Mailbox.objects.filter(is_active=True).select_related("team")
        }
        teams = {t.email_address.lower(): t for t in Team.objects.exclude(email_address="")}
        own = {str(settings.DEFAULT_FROM_EMAIL).lower()}
        own.update(address.lower() for address in Mailbox.objects.values_list("address", flat=True))
        return cls(mailboxes, teams, own)


_directory: ContextVar[_Directory | None] = ContextVar("goodwill_email_directory", default=None)


@contextmanager
def _batch_directory() -> Iterator[None]:
    token = _directory.set(_Directory.load())
    try:
        yield
    finally:
        _directory.reset(token)


def _current_directory() -> _Directory:
    return _directory.get() or _Directory.load()


def _parse_ahead(items: Sequence[tuple[RawEmail, bytes | None]]) -> None:
    """Parse a batch before its transaction opens, so SQLite's write lock is held for less time."""
    directory = _directory.get()
    if directory is None:
        return
    limit = max_message_bytes()
    for raw, data in items:
        if data is None or raw.state != State.PENDING or raw.pk in directory.parsed:
            continue
        try:
            directory.parsed[raw.pk] = parse_email(data, max_bytes=limit)
        except Exception:  # the message's own pass parses it again and quarantines it
            logger.debug("raw email %s left for its own pass", raw.pk)


def _read_ahead(items: Sequence[tuple[RawEmail, bytes | None]]) -> None:
    """Parse a batch up front (unless done) and answer its per-message questions in four queries.

    Which identity keys exist, how much each sender sent in the last hour, which customer
    owns each sender address and which conversations the Message-IDs it answers belong to;
    anything not answered here is asked per message as before.
    """
    directory = _directory.get()
    if directory is None:
        return
    _parse_ahead(items)
    keys: set[str] = set()
    senders: set[str] = set()
    thread_ids: set[str] = set()
    for raw, data in items:
        parsed = directory.parsed.get(raw.pk)
        if parsed is None or data is None or raw.state != State.PENDING:
            continue
        keys.add(identity_key(parsed, data))
        if parsed.from_address:
            senders.add(parsed.from_address)
        thread_ids.update(parsed.thread_ids)
    thread_ids -= directory.threads_checked
    if thread_ids:
        wanted = sorted(thread_ids)
        for start in range(0, len(wanted), 1000):
            directory.threads.update(
                EmailDetails.objects.filter(message_id_header__in=wanted[start : start + 1000]).values_list(
                    "message_id_header", "message__conversation_id"
                )
            )
        directory.threads_checked.update(thread_ids)
    if keys:
        directory.keys_taken.update(MessageKey.objects.filter(key__in=keys).values_list("key", flat=True))
        directory.keys_checked.update(keys)
    if senders:
        since = timezone.now() - timedelta(hours=1)
        directory.sender_counts.update(dict.fromkeys(senders, 0))
        directory.sender_counts.update(
            EmailDetails.objects.filter(from_address__in=senders, created_at__gte=since)
            .values_list("from_address")
            .annotate(count=Count("id"))
            .order_by()
        )
        for identity in Identity.objects.filter(kind=Identity.Kind.EMAIL, value__in=senders).select_related(
            "customer"
        ):
            directory.customers[identity.value] = identity.customer


def mailbox_for_addresses(addresses: Iterable[str]) -> Mailbox | None:
    wanted = [base_address(address) for address in addresses if "@" in address]
    if not wanted:
        return None
    directory = _current_directory()
    for address in wanted:
        if address in directory.mailboxes:
            return directory.mailboxes[address]
    return None


def _team_for(mailbox: Mailbox | None, parsed: ParsedEmail, envelope_to: Iterable[str] = ()) -> Team | None:
    if mailbox is not None and mailbox.team_id:
        return mailbox.team
    teams = _current_directory().teams
    for address in [*envelope_to, *parsed.delivered_to, *parsed.to, *parsed.cc]:
        team = teams.get(base_address(address))
        if team is not None:
            return team
    return None


def _own_addresses() -> set[str]:
    return _current_directory().own


# --- quarantine -------------------------------------------------------------------------------


def _set_state(raw: RawEmail, state: str) -> None:
    """Move a pending raw email to its final state; fails if someone else got there first."""
    updated = RawEmail.objects.filter(pk=raw.pk, state=State.PENDING).update(
        state=state, processed_at=timezone.now(), attempts=raw.attempts + 1
    )
    if not updated:
        raise _AlreadyProcessed
    raw.state = state


class _AlreadyProcessed(Exception):
    pass


class _Duplicate(Exception):
    pass


def _quarantine(
    raw: RawEmail,
    reason: str,
    detail: str,
    *,
    mailbox: Mailbox | None,
    parsed: ParsedEmail | None = None,
    sender: str = "",
    subject: str = "",
) -> str:
    with transaction.atomic():
        _set_state(raw, State.QUARANTINED)
        entry, _ = Quarantine.objects.update_or_create(
            raw=raw,
            defaults={
                "mailbox": mailbox,
                "reason": reason,
                "detail": detail[:5000],
                "sender": (parsed.from_address if parsed else sender)[:500],
                "subject": (parsed.subject if parsed else subject)[:500],
            },
        )
        record_event(
            Event.Kind.INTAKE_QUARANTINED, subject=entry, after={"reason": reason, "detail": detail[:500]}
        )
    logger.info("quarantined raw email %s: %s %s", raw.pk, reason, detail[:200])
    return State.QUARANTINED


def _headers_for_quarantine(data: bytes) -> tuple[str, str, list[str]]:
    """Sender, subject and recipients for the quarantine list, as far as they can be read."""
    import email as email_lib
    from email import policy

    from goodwill.channels.email.parsing import addresses, header_text, raw_header_values

    try:
        msg = email_lib.message_from_bytes(data[:65536], policy=policy.compat32)
        recipients = [
            address
            for _name, address in addresses(
                raw_header_values(msg, "Delivered-To")
                + raw_header_values(msg, "To")
                + raw_header_values(msg, "Cc")
            )
        ]
        return header_text(msg, "From")[:500], header_text(msg, "Subject")[:500], recipients
    except Exception:
        return "", "", []


# --- processing ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    state: str
    conversation: Conversation | None = None
    message: Message | None = None


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


def _claim_key(key: str, raw: RawEmail, message: Message | None) -> None:
    """The constraint that makes doubles impossible; a clash rolls back the message's savepoint."""
    MessageKey.objects.create(key=key, raw=raw, message=message)


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
        Event.Kind.DELIVERY_FAILED,
        conversation=conversation,
        subject=note,
        after={"recipients": bounce.recipients, "diagnostic": diagnostic[:500]},
    )
    _claim_key(key, raw, note)
    _set_state(raw, State.APPENDED)
    _current_directory().note(key, parsed.from_address, None, (parsed.message_id[:500], conversation.pk))
    return Outcome(State.APPENDED, conversation, note)


# --- auto-acknowledgement -----------------------------------------------------------------------------


def _maybe_acknowledge(conversation: Conversation, parsed: ParsedEmail, mailbox: Mailbox | None) -> None:
    """Acknowledge a new conversation: never to robots, never twice in a quiet period per address."""
    if mailbox is None or not mailbox.auto_acknowledge:
        return
    address = parsed.reply_to if parsed.reply_to and "@" in parsed.reply_to else parsed.from_address
    if address in _own_addresses():
        return
    if Identity.objects.filter(kind=Identity.Kind.EMAIL, value=address, failing_since__isnull=False).exists():
        return
    if Acknowledgement.objects.filter(
        address=address, created_at__gte=timezone.now() - ACK_QUIET_PERIOD
    ).exists():
        return
    ack = Acknowledgement.objects.create(conversation=conversation, address=address)
    from goodwill.channels.email.tasks import send_acknowledgement

    transaction.on_commit(lambda: send_acknowledgement.enqueue(ack.pk))


# --- plain messages in bulk -----------------------------------------------------------------------------
#
# Most mail is plain: a new message from a person, starting a conversation or answering one by
# its headers. Within a read-ahead batch such messages are planned from what the read-ahead
# knows and written together (one statement per table, in one savepoint). Anything else (not
# parsed, a bounce, a loop, a reply token or subject tag to look up, a sender or key not read
# ahead) first writes the group planned so far, then takes the one-message path, so each
# message still sees everything before it. If the group's savepoint fails (another process
# took a key or a message at the same moment), its messages take the one-message path too.


@dataclass
class _Plan:
    raw: RawEmail
    data: bytes
    parsed: ParsedEmail
    key: str
    mailbox: Mailbox | None = None
    duplicate: bool = False
    customer: Customer | None = None  # None: a customer created with the group
    conversation_id: int | None = None  # the conversation it answers...
    follows: int | None = None  # ...or the group's message (position in `messages`) it answers


@dataclass
class _Group:
    plans: list[tuple[int, _Plan]] = field(default_factory=list)  # (position in the batch, plan)
    messages: list[_Plan] = field(default_factory=list)  # the plans that become messages, in order
    keys: set[str] = field(default_factory=set)
    threads: dict[str, int] = field(default_factory=dict)  # Message-ID → position in `messages`
    sent: dict[str, int] = field(default_factory=dict)  # messages per sender
    new_customers: dict[str, str] = field(default_factory=dict)  # address → name

    def clear(self) -> None:
        self.plans.clear()
        self.messages.clear()
        self.keys.clear()
        self.threads.clear()
        self.sent.clear()
        self.new_customers.clear()


class _GroupFailed(Exception):
    pass


def _plan(raw: RawEmail, data: bytes | None, group: _Group, directory: _Directory) -> _Plan | None:
    """How a plain message joins the group, or None when it needs the one-message path."""
    if data is None or raw.state != State.PENDING:
        return None
    parsed = directory.parsed.get(raw.pk)
    if parsed is None or parsed.robot == "bounce":
        return None
    key = identity_key(parsed, data)
    if key in group.keys or key not in directory.keys_checked:
        return None
    if key in directory.keys_taken:
        return _Plan(raw, data, parsed, key, duplicate=True)
    mailbox = raw.mailbox or mailbox_for_addresses(
        [*raw.envelope_to, *parsed.delivered_to, *parsed.to, *parsed.cc]
    )
    address = parsed.from_address
    if address in directory.own:
        return None
    limit = mailbox.max_messages_per_sender_per_hour if mailbox else DEFAULT_SENDER_LIMIT
    if limit and (
        address not in directory.sender_counts
        or (directory.sender_counts[address] + group.sent.get(address, 0) >= limit)
    ):
        return None
    plan = _Plan(raw, data, parsed, key, mailbox=mailbox, customer=directory.customers.get(address))
    if plan.customer is not None:
        if parsed.from_name and not plan.customer.name:
            return None  # find_or_create_customer_by_email names them
    elif address not in group.new_customers:
        if parseaddr(address) != ("", address) or Identity.normalise_email(address) != address:
            return None
        try:
            validate_email(address)
        except ValidationError:
            return None
    for thread_id in parsed.thread_ids:
        if thread_id in group.threads:
            plan.follows = group.threads[thread_id]
            break
        if thread_id in directory.threads:
            plan.conversation_id = directory.threads[thread_id]
            break
        if thread_id not in directory.threads_checked:
            return None
    else:
        if (mailbox is None or mailbox.thread_by_reply_token) and "gw-" in " ".join(
            [*parsed.thread_ids, *parsed.to, *parsed.cc, *parsed.delivered_to]
        ):
            return None
        if (mailbox is None or mailbox.thread_by_subject_tag) and SUBJECT_TAG_RE.search(parsed.subject):
            return None
    if plan.customer is None:
        # A later message of the same new person may bring the name the first one lacked.
        group.new_customers[address] = group.new_customers.get(address) or parsed.from_name
    return plan


def _add_to_group(group: _Group, position: int, plan: _Plan) -> None:
    group.plans.append((position, plan))
    group.keys.add(plan.key)
    if plan.duplicate:
        return
    if plan.parsed.message_id:
        group.threads.setdefault(plan.parsed.message_id[:500], len(group.messages))
    group.messages.append(plan)
    group.sent[plan.parsed.from_address] = group.sent.get(plan.parsed.from_address, 0) + 1


def _mark(raws: list[RawEmail], state: str) -> None:
    """Move pending raw emails to `state` in one statement; fails if another process got to one first."""
    if not raws:
        return
    updated = RawEmail.objects.filter(pk__in=[raw.pk for raw in raws], state=State.PENDING).update(
        state=state, processed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if updated != len(raws):
        raise _AlreadyProcessed
    for raw in raws:
        raw.state = state


def _write_group(group: _Group) -> list[str]:
    """Write the planned group (the caller holds a savepoint); the state of each plan."""
    _mark([plan.raw for _position, plan in group.plans if plan.duplicate], State.DUPLICATE)
    people = list(group.new_customers.items())
    created = dict(zip(group.new_customers, create_customers_by_email(people), strict=True))
    wanted = {plan.conversation_id for plan in group.messages if plan.conversation_id is not None}
    found = Conversation.objects.in_bulk(wanted) if wanted else {}
    if len(found) != len(wanted):
        raise _GroupFailed("a conversation to answer is gone")
    live = {pk: live_conversation(conversation) for pk, conversation in found.items()}
    items = []
    for plan in group.messages:
        parsed, raw = plan.parsed, plan.raw
        customer = plan.customer or created[parsed.from_address]
        conversation = live[plan.conversation_id] if plan.conversation_id is not None else None
        opens = conversation is None and plan.follows is None
        items.append(
            InboundMessage(
                customer=customer,
                channel=Conversation.Channel.EMAIL,
                at=parsed.date if (raw.source == RawEmail.Source.FILE and parsed.date) else raw.received_at,
                text=parsed.text,
                html=parsed.html,
                new_text=parsed.new_text,
                message_id=parsed.message_id[:500],
                raw_path=raw.path,
                attachments=parsed.attachments,
                subject=parsed.subject,
                team=_team_for(plan.mailbox, parsed, raw.envelope_to) if opens else None,
                conversation=conversation,
                follows=plan.follows,
            )
        )
    results = receive_messages_in_bulk(items)
    EmailDetails.objects.bulk_create(
        [
            _details_row(message, plan.raw, plan.mailbox, plan.parsed)
            for plan, (_conversation, message, _opened) in zip(group.messages, results, strict=True)
        ]
    )
    MessageKey.objects.bulk_create(
        [
            MessageKey(key=plan.key, raw=plan.raw, message=message)
            for plan, (_conversation, message, _opened) in zip(group.messages, results, strict=True)
        ]
    )
    opened = [plan for plan, result in zip(group.messages, results, strict=True) if result[2]]
    _mark([plan.raw for plan in opened], State.CREATED)
    _mark(
        [plan.raw for plan, result in zip(group.messages, results, strict=True) if not result[2]],
        State.APPENDED,
    )
    for plan, (conversation, _message, was_opened) in zip(group.messages, results, strict=True):
        if was_opened and plan.parsed.robot == "":
            _maybe_acknowledge(conversation, plan.parsed, plan.mailbox)
    directory = _current_directory()
    for plan, (conversation, _message, _opened) in zip(group.messages, results, strict=True):
        customer = plan.customer or created[plan.parsed.from_address]
        directory.note(
            plan.key, plan.parsed.from_address, customer, (plan.parsed.message_id[:500], conversation.pk)
        )
    return [plan.raw.state for _position, plan in group.plans]


def _flush(group: _Group, states: list[str]) -> None:
    """Write the group planned so far, or on failure take its messages one by one."""
    if not group.plans:
        return
    directory = _current_directory()
    try:
        with transaction.atomic():
            written = _write_group(group)
        directory.settle(kept=True)
        for (position, _plan), state in zip(group.plans, written, strict=True):
            states[position] = state
    except Exception as error:
        directory.settle(kept=False)
        if isinstance(error, IntegrityError | _AlreadyProcessed):
            logger.info("a group of %s messages met a concurrent writer; one by one", len(group.plans))
        else:
            logger.exception("a group of %s messages failed; one by one", len(group.plans))
        for position, plan in group.plans:
            plan.raw.state = State.PENDING
            states[position] = process_raw(plan.raw, data=plan.data).state
    group.clear()


def _process_in_order(items: Sequence[tuple[RawEmail, bytes | None]]) -> list[str]:
    """Process a read-ahead batch in order (inside its transaction): plain messages in groups."""
    directory = _current_directory()
    states: list[str] = [State.PENDING] * len(items)
    group = _Group()
    for position, (raw, data) in enumerate(items):
        plan = _plan(raw, data, group, directory)
        if plan is not None:
            _add_to_group(group, position, plan)
            continue
        _flush(group, states)
        states[position] = process_raw(raw, data=data).state
    _flush(group, states)
    return states


# --- batches (ingest-email, smtpd, fetchmail) ---------------------------------------------------------


@dataclass
class Summary:
    """The ingest-email contract: received is the sum of the other five."""

    conversations_created: int = 0
    messages_appended: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def received(self) -> int:
        return (
            self.conversations_created
            + self.messages_appended
            + self.duplicates
            + self.quarantined
            + self.failed
        )

    def count(self, state: str) -> None:
        if state == State.CREATED:
            self.conversations_created += 1
        elif state == State.APPENDED:
            self.messages_appended += 1
        elif state in (State.DUPLICATE, State.DELETED):
            self.duplicates += 1
        elif state == State.QUARANTINED:
            self.quarantined += 1
        else:
            self.failed += 1

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "conversations_created": self.conversations_created,
            "messages_appended": self.messages_appended,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "failed": self.failed,
        }


def _chunks(items: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Envelope = tuple[str, list[str], "Mailbox | None"]  # SMTP MAIL FROM, RCPT TO, the mailbox they map to


def store_batch(
    items: list[bytes],
    *,
    source: str,
    mailbox: Mailbox | None = None,
    envelopes: list[Envelope] | None = None,
) -> list[tuple[RawEmail | None, bool, bytes, str]]:
    """Store many raw emails in one transaction (committed on return).

    One query finds the ones we have, one multi-row INSERT adds the rest. If another
    process stored one of them at the same moment, the batch is stored item by item.
    Returns (row or None, created, bytes, error) per item; a row of None could not be stored.
    """
    digests = [hashlib.sha256(data).hexdigest() for data in items]
    try:
        known = {row.sha256: row for row in RawEmail.objects.filter(sha256__in=set(digests))}
        fresh: dict[str, RawEmail] = {}
        errors: dict[str, str] = {}
        now = timezone.now()
        for index, (data, digest) in enumerate(zip(items, digests, strict=True)):
            if digest in known or digest in fresh or digest in errors:
                continue
            envelope_from, envelope_to, item_mailbox = envelopes[index] if envelopes else ("", [], mailbox)
            try:
                path = _write_raw_file(digest, data)
            except Exception as error:
                logger.exception("could not write a raw email")
                errors[digest] = f"{type(error).__name__}: {error}"
                continue
            fresh[digest] = RawEmail(
                sha256=digest,
                path=path,
                size=len(data),
                source=source,
                mailbox=item_mailbox,
                received_at=now,
                envelope_from=printable(envelope_from)[:500],
                envelope_to=[printable(address)[:500] for address in envelope_to][:100],
            )
        with intake_write_lock(), transaction.atomic():
            RawEmail.objects.bulk_create(list(fresh.values()), batch_size=200)
    except IntegrityError:
        return _store_one_by_one(items, source=source, mailbox=mailbox, envelopes=envelopes)
    except Exception as error:
        logger.exception("could not commit a batch of raw emails")
        return [(None, False, data, f"{type(error).__name__}: {error}") for data in items]
    results: list[tuple[RawEmail | None, bool, bytes, str]] = []
    handed_out: set[str] = set()
    for data, digest in zip(items, digests, strict=True):
        if digest in errors:
            results.append((None, False, data, errors[digest]))
        elif digest in fresh:
            results.append((fresh[digest], digest not in handed_out, data, ""))
            handed_out.add(digest)
        else:
            results.append((known[digest], False, data, ""))
    return results


def _store_one_by_one(
    items: list[bytes], *, source: str, mailbox: Mailbox | None, envelopes: list[Envelope] | None
) -> list[tuple[RawEmail | None, bool, bytes, str]]:
    results: list[tuple[RawEmail | None, bool, bytes, str]] = []
    try:
        with transaction.atomic():
            for index, data in enumerate(items):
                envelope_from, envelope_to, item_mailbox = (
                    envelopes[index] if envelopes else ("", [], mailbox)
                )
                try:
                    raw, created = store_raw(  # its own savepoint
                        data,
                        source=source,
                        mailbox=item_mailbox,
                        envelope_from=envelope_from,
                        envelope_to=envelope_to,
                    )
                    results.append((raw, created, data, ""))
                except Exception as error:
                    logger.exception("could not store a raw email")
                    results.append((None, False, data, f"{type(error).__name__}: {error}"))
    except Exception as error:
        logger.exception("could not commit a batch of raw emails")
        return [(None, False, data, f"{type(error).__name__}: {error}") for data in items]
    return results


def process_batch(stored: list[tuple[RawEmail | None, bool, bytes, str]], summary: Summary) -> None:
    """Process stored raw emails in one transaction, a savepoint each; falls back to one by one."""
    todo: list[tuple[RawEmail, bytes]] = []
    seen: set[int] = set()
    for raw, _created, data, error in stored:
        if raw is None:
            summary.failed += 1
            summary.errors.append(error)
        elif raw.pk in seen or raw.state != State.PENDING:
            summary.duplicates += 1
        else:
            seen.add(raw.pk)
            todo.append((raw, data))
    if not todo:
        return
    states: list[str] = []
    try:
        with _batch_directory():
            _parse_ahead(todo)
            with transaction.atomic():
                _read_ahead(todo)
                states = _process_in_order(todo)
    except Exception:
        logger.exception("batch processing failed; processing one by one")
        states = _process_one_by_one(todo, summary.errors)
    for state in states:
        if state == State.PENDING:
            summary.failed += 1
        else:
            summary.count(state)


def _process_one_by_one(todo: Sequence[tuple[RawEmail, bytes | None]], errors: list[str]) -> list[str]:
    """After a failed batch: each message in its own transaction, so one bad message stops nothing."""
    states = []
    for raw, data in todo:
        try:
            raw.refresh_from_db()
            with _batch_directory(), transaction.atomic():
                states.append(process_raw(raw, data=data).state)
        except Exception as error:
            logger.exception("processing raw email %s failed", raw.pk)
            errors.append(f"{type(error).__name__}: {error}")
            states.append(_force_quarantine(raw, error))
    return states


def _force_quarantine(raw: RawEmail, error: Exception) -> str:
    """Quarantine a message the pipeline keeps failing on; its final state (PENDING if even this failed)."""
    try:
        with transaction.atomic():
            raw.refresh_from_db()
            if raw.state != State.PENDING:
                return raw.state
            return _quarantine(
                raw, Quarantine.Reason.ERROR, f"{type(error).__name__}: {error}", mailbox=raw.mailbox
            )
    except Exception:
        logger.exception("could not quarantine raw email %s", raw.pk)
        return State.PENDING


def ingest_many(
    items: Iterable[bytes],
    *,
    source: str = RawEmail.Source.FILE,
    mailbox: Mailbox | None = None,
    batch_size: int = 200,
) -> Summary:
    """Store (committed per batch) then process; the engine behind `goodwill ingest-email`."""
    summary = Summary()
    for batch in _chunks(items, batch_size):
        stored = store_batch(batch, source=source, mailbox=mailbox)
        process_batch(stored, summary)
    return summary


def process_pending(limit: int = 200) -> int:
    """Process raw emails left pending (stored by smtpd/fetchmail, or interrupted). Returns how many."""
    rows = list(RawEmail.objects.filter(state=State.PENDING).select_related("mailbox").order_by("id")[:limit])
    if not rows:
        return 0
    contents: list[tuple[RawEmail, bytes | None]] = []
    for raw in rows:
        try:
            contents.append((raw, read_raw(raw)))
        except OSError:
            contents.append((raw, None))  # process_raw tries again and quarantines it
    try:
        with _batch_directory():
            _parse_ahead(contents)
            with intake_write_lock(), transaction.atomic():
                _read_ahead(contents)
                _process_in_order(contents)
    except Exception:
        logger.exception("processing pending mail failed; processing one by one")
        _process_one_by_one([(raw, None) for raw in rows], [])
    return len(rows)


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
            parse_email(data, max_bytes=max(max_message_bytes(), len(data) + 1))
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
    parsed = parse_email(data, max_bytes=len(data) + 1)
    customer = find_or_create_customer_by_email(parsed.from_address, name=parsed.from_name)
    conversation, message = open_conversation(
        customer=customer,
        subject=parsed.subject,
        channel=Conversation.Channel.EMAIL,
        team=_team_for(raw.mailbox or mailbox_for_addresses(parsed.to + parsed.cc), parsed),
        text=parsed.text,
        html=parsed.html,
        new_text=parsed.new_text,
        message_id=parsed.message_id[:500],
        raw_path=raw.path,
        at=raw.received_at,
        attachments=parsed.attachments,
    )
    _record_details(message, raw, raw.mailbox, parsed)
    MessageKey.objects.get_or_create(
        key=identity_key(parsed, data), defaults={"raw": raw, "message": message}
    )
    _set_state(raw, State.CREATED)
    return Outcome(State.CREATED, conversation, message)


def _release_salvaged(raw: RawEmail, data: bytes, entry: Quarantine) -> Outcome:
    from goodwill.channels.email.parsing import decode_bytes

    sender = entry.sender
    from email.utils import parseaddr

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
