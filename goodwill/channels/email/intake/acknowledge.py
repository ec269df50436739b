"""The automatic acknowledgement of a new conversation."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from goodwill.channels.email import outbound
from goodwill.channels.email.intake.directory import _own_addresses
from goodwill.channels.email.models import Acknowledgement, Mailbox, RawEmail
from goodwill.channels.email.parsing import ParsedEmail
from goodwill.conversations.models import Conversation
from goodwill.customers.models import Identity

ACK_QUIET_PERIOD = timedelta(hours=6)


def acknowledgement_address(raw: RawEmail, parsed: ParsedEmail) -> str:
    """Where an automatic answer may go (RFC 3834 §4): the address that sent the message.

    The SMTP envelope sender when the message came over SMTP ("" for the null sender of a
    robot: never answered), else From. Never Reply-To, which anyone can point at a third party.
    """
    if raw.source == RawEmail.Source.SMTP:
        sender = raw.envelope_from.strip().strip("<>").lower()
        return sender if "@" in sender else ""
    return parsed.from_address


def _maybe_acknowledge(
    conversation: Conversation, raw: RawEmail, parsed: ParsedEmail, mailbox: Mailbox | None
) -> None:
    """Acknowledge a new conversation: never to robots, never twice in a quiet period per address."""
    if mailbox is None or not mailbox.auto_acknowledge:
        return
    address = acknowledgement_address(raw, parsed)
    if not address or address in _own_addresses():
        return
    if Identity.objects.filter(kind=Identity.Kind.EMAIL, value=address, failing_since__isnull=False).exists():
        return
    if Acknowledgement.objects.filter(
        address=address, created_at__gte=timezone.now() - ACK_QUIET_PERIOD
    ).exists():
        return
    ack = Acknowledgement.objects.create(conversation=conversation, address=address)
    transaction.on_commit(lambda: outbound.acknowledgement_task.enqueue(ack.pk))
