"""The directory of mailboxes, team addresses and senders, read once per batch."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.channels.email.intake.storage import max_message_bytes, part_limits
from goodwill.channels.email.models import (
    EmailDetails,
    Mailbox,
    MessageKey,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
    identity_key,
    parse_email,
)
from goodwill.customers.models import Customer, Identity

logger = logging.getLogger("goodwill.email")

State = RawEmail.State


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
    threads: dict[str, tuple[int, int]] = field(default_factory=dict)  # Message-ID → conversation, customer
    threads_checked: set[str] = field(default_factory=set)  # Message-IDs looked up (found or not)
    # key, sender, customer, (Message-ID, conversation pk, its customer pk)
    pending: list[tuple[str, str, Customer | None, tuple[str, int, int] | None]] = field(default_factory=list)

    def note(
        self, key: str, sender: str, customer: Customer | None, thread: tuple[str, int, int] | None = None
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
                    self.threads[thread[0]] = (thread[1], thread[2])
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
    limits = part_limits()
    for raw, data in items:
        if data is None or raw.state != State.PENDING or raw.pk in directory.parsed:
            continue
        try:
            directory.parsed[raw.pk] = parse_email(data, max_bytes=limit, **limits)
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
            rows = EmailDetails.objects.filter(
                message_id_header__in=wanted[start : start + 1000]
            ).values_list(
                "message_id_header", "message__conversation_id", "message__conversation__customer_id"
            )
            directory.threads.update(
                (message_id, (conversation, customer)) for message_id, conversation, customer in rows
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


DEFAULT_SENDER_LIMIT = 120


def sender_over_limit(
    address: str, mailbox: Mailbox | None, *, planned: int = 0, ask: bool = True
) -> bool | None:
    """More mail from `address` in the last hour (plus `planned` not yet written) than allowed.

    The mail-loop brake. None when the batch's read-ahead does not know the sender and `ask`
    is False (the bulk path then leaves the message to the one-message path).
    """
    limit = mailbox.max_messages_per_sender_per_hour if mailbox else DEFAULT_SENDER_LIMIT
    if not limit:
        return False
    counts = _current_directory().sender_counts
    if address in counts:
        return counts[address] + planned >= limit
    if not ask:
        return None
    since = timezone.now() - timedelta(hours=1)
    recent = EmailDetails.objects.filter(from_address=address, created_at__gte=since)
    return recent[:limit].count() + planned >= limit


def mailbox_of(raw: RawEmail, parsed: ParsedEmail) -> Mailbox | None:
    """The mailbox a message came to: the door's, else the envelope, Delivered-To, To and Cc."""
    return raw.mailbox or mailbox_for_addresses(
        [*raw.envelope_to, *parsed.delivered_to, *parsed.to, *parsed.cc]
    )


def _own_addresses() -> set[str]:
    return _current_directory().own
