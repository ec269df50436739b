"""The automatic acknowledgement of a new conversation."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from goodwill.channels.email.intake.directory import _own_addresses
from goodwill.channels.email.models import (
    Acknowledgement,
    Mailbox,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
)
from goodwill.conversations.models import Conversation
from goodwill.core.tasks import retrying_task
from goodwill.customers.models import Identity

ACK_QUIET_PERIOD = timedelta(hours=6)


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
    transaction.on_commit(lambda: send_acknowledgement.enqueue(ack.pk))


@retrying_task(max_attempts=8)
def send_acknowledgement(acknowledgement_id: int) -> None:
    """Send the automatic acknowledgement of a new conversation (idempotent: sent ones are skipped).

    A task here rather than in tasks.py, which calls the intake: so neither imports the other.
    """
    from goodwill.channels.email.outbound import send_acknowledgement as send

    send(acknowledgement_id)
