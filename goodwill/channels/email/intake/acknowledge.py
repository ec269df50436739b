"""The automatic acknowledgement of a new conversation."""

from __future__ import annotations

from datetime import timedelta
from email.headerregistry import Address

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks

from goodwill.channels.email.intake.directory import _own_addresses
from goodwill.channels.email.models import Acknowledgement, DeliveryAttempt, EmailDetails, Mailbox, RawEmail
from goodwill.channels.email.parsing import ParsedEmail
from goodwill.channels.email.threads import outgoing_message_id, reply_address
from goodwill.conversations.models import Conversation
from goodwill.core.tasks import retrying_task
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
    transaction.on_commit(lambda: send_acknowledgement.enqueue(ack.pk))


def acknowledgement_text(conversation: Conversation, *, team_name: str, expected: str) -> str:
    """Our own words only: the number, never the customer's subject or text (RFC 3834 §3.1.5)."""
    greeting = conversation.customer.greeting_name
    return (
        f"Hello{' ' + greeting if greeting else ''},\n\n"
        f"Thank you for writing to us. We have your message; it is conversation #{conversation.number}.\n\n"
        f"We will answer {expected}. If you write again, reply to this email so that everything stays "
        f"together.\n\n{team_name}"
    )


@retrying_task(max_attempts=8)
def send_acknowledgement(acknowledgement_id: int) -> None:
    """Send the automatic acknowledgement of a new conversation (idempotent: sent ones are skipped).

    A task here rather than in tasks.py, which calls the intake: so neither imports the other.
    """
    deliver_acknowledgement(acknowledgement_id)


def deliver_acknowledgement(acknowledgement_id: int) -> None:
    """Send one acknowledgement now; raises DeliveryFailed so the task retries."""
    from goodwill.channels.email import outbound

    ack = (
        Acknowledgement.objects.select_related("conversation__customer").filter(pk=acknowledgement_id).first()
    )
    if ack is None or ack.sent_at is not None:
        return
    conversation = ack.conversation
    mailbox = outbound.mailbox_of(conversation)
    from_address: str = mailbox.address if mailbox else str(settings.DEFAULT_FROM_EMAIL)
    team_name = mailbox.name if mailbox else "Support"
    expected = (mailbox.expected_response_time if mailbox else "") or "as soon as we can"
    if not ack.message_id:
        ack.message_id = outgoing_message_id(conversation.number)
        Acknowledgement.objects.filter(pk=ack.pk).update(message_id=ack.message_id)
    text = acknowledgement_text(conversation, team_name=team_name, expected=expected)
    headers = {
        "Message-ID": f"<{ack.message_id}>",
        # RFC 3834: robots must not answer this, and we never answer theirs.
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "X-Goodwill-Conversation": str(conversation.number),
    }
    headers.update(_answered_headers(conversation))
    mail = EmailMultiAlternatives(
        subject=f"We received your message [#{conversation.number}]",
        body=text,
        from_email=str(Address(display_name=team_name, addr_spec=from_address)),
        to=[ack.address],
        reply_to=[reply_address(from_address, conversation.number)],
        headers=headers,
        connection=get_connection(fail_silently=False),
    )
    mail.attach_alternative(linebreaks(escape(text)), "text/html")
    try:
        mail.send(fail_silently=False)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        DeliveryAttempt.objects.create(
            message=None, kind="ack", recipients=[ack.address], ok=False, error=reason
        )
        raise outbound.DeliveryFailed(reason) from error
    with transaction.atomic():
        DeliveryAttempt.objects.create(message=None, kind="ack", recipients=[ack.address], ok=True)
        Acknowledgement.objects.filter(pk=ack.pk).update(sent_at=timezone.now())


def _answered_headers(conversation: Conversation) -> dict[str, str]:
    """In-Reply-To and References of the customer's first message, which the acknowledgement answers."""
    first = (
        EmailDetails.objects.filter(message__conversation=conversation)
        .exclude(message_id_header="")
        .order_by("message__created_at", "id")
        .first()
    )
    if first is None:
        return {}
    chain = [item for item in first.references.split() if item][-20:] + [first.message_id_header]
    return {
        "In-Reply-To": f"<{first.message_id_header}>",
        "References": " ".join(f"<{item}>" for item in chain),
    }
