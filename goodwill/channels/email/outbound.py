"""Mail going out: agents' replies and automatic acknowledgements, sent by the worker.

Each reply gets its Message-ID (carrying the signed reply token) before the first
attempt, so a retry sends the same identity and answers to it thread back.

Sends are idempotent (core.deliveries): a `Delivery` row keyed "reply:<pk>" or
"ack:<pk>" says SENDING before the SMTP transaction and SENT after it. A second run
skips a sent message, waits for one in flight, and resends (same Message-ID, logged)
only when a worker died between the remote's answer and the state write.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks

from goodwill.channels.email.identities import clear_failing
from goodwill.channels.email.models import Acknowledgement, DeliveryAttempt, EmailDetails, Mailbox
from goodwill.channels.email.threads import SUBJECT_TAG_RE, outgoing_message_id, reply_address
from goodwill.conversations.delivery import REPLY_ATTEMPTS
from goodwill.conversations.models import Conversation, Message
from goodwill.core.deliveries import (
    Claim,
    claim_delivery,
    log_resend,
    mark_failed,
    mark_sent,
    note_swept,
    recently_handled,
)
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.core.tasks import retrying_task

logger = logging.getLogger("goodwill.email")


class DeliveryFailed(Exception):
    """Sending failed; the task runner retries with backoff."""


def mailbox_of(conversation: Conversation) -> Mailbox | None:
    """The mailbox the customer wrote to, else the one of the conversation's team."""
    details = (
        EmailDetails.objects.filter(message__conversation=conversation, mailbox__isnull=False)
        .select_related("mailbox")
        .order_by("-message__created_at")
        .first()
    )
    if details is not None and details.mailbox is not None:
        return details.mailbox
    if conversation.team_id:
        return Mailbox.objects.filter(team_id=conversation.team_id, is_active=True).first()
    return None


def _subject(conversation: Conversation) -> str:
    subject = conversation.subject or "Your message"
    if not subject.lower().startswith(("re:", "aw:", "sv:")):
        subject = f"Re: {subject}"
    if not SUBJECT_TAG_RE.search(subject):
        subject = f"{subject} [#{conversation.number}]"
    return subject


def _wrap(msgid: str) -> str:
    return f"<{msgid}>"


def _thread_headers(conversation: Conversation, *, excluding: Message | None = None) -> dict[str, str]:
    """In-Reply-To the latest message of the thread, References the chain before it."""
    last = (
        EmailDetails.objects.filter(message__conversation=conversation)
        .exclude(message_id_header="")
        .exclude(message=excluding)
        .exclude(message__direction=Message.Direction.INTERNAL)
        .order_by("-message__created_at", "-id")
        .first()
    )
    if last is None:
        return {}
    chain = [item for item in last.references.split() if item][-20:]
    if last.message_id_header not in chain:
        chain.append(last.message_id_header)
    return {"In-Reply-To": _wrap(last.message_id_header), "References": " ".join(_wrap(i) for i in chain)}


def _recipient(conversation: Conversation) -> str:
    identity = conversation.customer.identities.filter(kind="email").order_by("-is_primary", "id").first()
    return identity.value if identity else ""


def _from_header(name: str, address: str) -> str:
    from email.headerregistry import Address

    local, _, domain = address.partition("@")
    return str(Address(display_name=name, username=local, domain=domain))


SWEEP_LOOKBACK = timedelta(days=2)

def _next_step(message: Message) -> str:
    failures = DeliveryAttempt.objects.filter(message=message, ok=False).count()
    if failures >= REPLY_ATTEMPTS:
        return f"gave up after {failures} attempts"
    return f"attempt {failures} of {REPLY_ATTEMPTS}, will retry"


def send_reply(message_id: int) -> None:
    """Deliver one agent reply. Idempotent: a sent message is skipped. Raises DeliveryFailed to retry."""
    message = (
        Message.objects.select_related("conversation__customer", "author_agent").filter(pk=message_id).first()
    )
    if message is None or message.direction != Message.Direction.OUTBOUND:
        return
    if message.delivery == Message.Delivery.SENT:
        return
    conversation = message.conversation
    to = _recipient(conversation)
    if not to:
        Message.objects.filter(pk=message.pk).update(
            delivery=Message.Delivery.FAILED, delivery_error="The customer has no email address."
        )
        return
    claim = claim_delivery(f"reply:{message.pk}")
    if claim is None:
        # An earlier run sent it (its Delivery row says so); keep the message row in step.
        Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.SENT, delivery_error="")
        return
    try:
        mail, to = _reply_mail(message)
    except Exception:
        mark_failed(claim)
        raise
    _send_reply_mail(message, mail, to, claim)


def _reply_mail(message: Message) -> tuple[EmailMultiAlternatives, str]:
    """The reply as an email, with the Message-ID and thread headers fixed by its first attempt."""
    conversation = message.conversation
    to = _recipient(conversation)
    mailbox = mailbox_of(conversation)
    from_address: str = mailbox.address if mailbox else str(settings.DEFAULT_FROM_EMAIL)
    team_name = mailbox.name if mailbox else "Support"
    agent_name = message.author_agent.display_name if message.author_agent else team_name
    details = EmailDetails.objects.filter(message=message).first()
    if details is None:
        thread = _thread_headers(conversation, excluding=message)
        # One transaction: a worker dying here leaves neither or both, so the message row
        # always names the Message-ID that a resend will carry.
        with transaction.atomic():
            details = EmailDetails.objects.create(
                message=message,
                mailbox=mailbox,
                message_id_header=outgoing_message_id(conversation.number),
                in_reply_to=thread.get("In-Reply-To", "").strip("<>"),
                references=" ".join(i.strip("<>") for i in thread.get("References", "").split()),
                from_address=from_address.lower(),
                from_name=agent_name[:200],
                to=[to],
                subject=_subject(conversation)[:500],
            )
            Message.objects.filter(pk=message.pk).update(message_id=details.message_id_header)
    elif message.message_id != details.message_id_header:
        Message.objects.filter(pk=message.pk).update(message_id=details.message_id_header)
    headers = {
        "Message-ID": _wrap(details.message_id_header),
        "X-Goodwill-Conversation": str(conversation.number),
    }
    # From the stored details, so a retry carries exactly the headers of the first attempt.
    if details.in_reply_to:
        headers["In-Reply-To"] = _wrap(details.in_reply_to)
    if details.references:
        headers["References"] = " ".join(_wrap(item) for item in details.references.split())
    reply_to = (
        reply_address(from_address, conversation.number)
        if (mailbox is None or mailbox.thread_by_reply_token)
        else from_address
    )
    text = message.text
    signature = message.author_agent.signature.strip() if message.author_agent else ""
    if signature:
        text = f"{text}\n\n-- \n{signature}"
    html = message.html or linebreaks(escape(text))
    mail = EmailMultiAlternatives(
        subject=details.subject or _subject(conversation),
        body=text,
        from_email=_from_header(
            f"{agent_name} ({team_name})" if agent_name != team_name else team_name, from_address
        ),
        to=[to],
        reply_to=[reply_to],
        headers=headers,
        connection=get_connection(fail_silently=False),
    )
    mail.attach_alternative(html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.filename, handle.read(), attachment.content_type)
    return mail, to


def _send_reply_mail(message: Message, mail: EmailMultiAlternatives, to: str, claim: Claim) -> None:
    msgid = str(mail.extra_headers["Message-ID"]).strip("<>")
    if claim.outcome_unknown:
        log_resend(claim, msgid)
    try:
        mail.send(fail_silently=False)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        with transaction.atomic():
            mark_failed(claim)
            DeliveryAttempt.objects.create(
                message=message, kind="reply", recipients=[to], ok=False, error=reason
            )
            Message.objects.filter(pk=message.pk).exclude(delivery=Message.Delivery.SENT).update(
                delivery=Message.Delivery.FAILED, delivery_error=f"{reason} ({_next_step(message)})"
            )
            record_event(
                Event.Kind.DELIVERY_FAILED,
                conversation=message.conversation,
                subject=message,
                after={"error": reason},
            )
        raise DeliveryFailed(reason) from error
    with transaction.atomic():
        mark_sent(claim, msgid)
        DeliveryAttempt.objects.create(message=message, kind="reply", recipients=[to], ok=True)
        clear_failing(to)  # it reached the address, so the address works
        Message.objects.filter(pk=message.pk).update(delivery=Message.Delivery.SENT, delivery_error="")


def send_acknowledgement(acknowledgement_id: int) -> None:
    """Tell the customer we have their message, its number and when to expect an answer."""
    ack = (
        Acknowledgement.objects.select_related("conversation__customer").filter(pk=acknowledgement_id).first()
    )
    if ack is None or ack.sent_at is not None:
        return
    claim = claim_delivery(f"ack:{ack.pk}")
    if claim is None:
        Acknowledgement.objects.filter(pk=ack.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        return
    try:
        mail = _acknowledgement_mail(ack)
    except Exception:
        mark_failed(claim)
        raise
    if claim.outcome_unknown:
        log_resend(claim, ack.message_id)
    try:
        mail.send(fail_silently=False)
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"[:2000]
        with transaction.atomic():
            mark_failed(claim)
            DeliveryAttempt.objects.create(
                message=None, kind="ack", recipients=[ack.address], ok=False, error=reason
            )
        raise DeliveryFailed(reason) from error
    with transaction.atomic():
        mark_sent(claim, ack.message_id)
        DeliveryAttempt.objects.create(message=None, kind="ack", recipients=[ack.address], ok=True)
        Acknowledgement.objects.filter(pk=ack.pk).update(sent_at=timezone.now())


def _acknowledgement_mail(ack: Acknowledgement) -> EmailMultiAlternatives:
    conversation = ack.conversation
    mailbox = mailbox_of(conversation)
    from_address: str = mailbox.address if mailbox else str(settings.DEFAULT_FROM_EMAIL)
    team_name = mailbox.name if mailbox else "Support"
    expected = (mailbox.expected_response_time if mailbox else "") or "as soon as we can"
    if not ack.message_id:
        ack.message_id = outgoing_message_id(conversation.number)
        Acknowledgement.objects.filter(pk=ack.pk).update(message_id=ack.message_id)
    text = acknowledgement_text(conversation, team_name=team_name, expected=expected)
    headers = {
        "Message-ID": _wrap(ack.message_id),
        # RFC 3834: robots must not answer this, and we never answer theirs.
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "X-Goodwill-Conversation": str(conversation.number),
    }
    headers.update(_answered_headers(conversation))
    mail = EmailMultiAlternatives(
        subject=f"We received your message [#{conversation.number}]",
        body=text,
        from_email=_from_header(team_name, from_address),
        to=[ack.address],
        reply_to=[reply_address(from_address, conversation.number)],
        headers=headers,
        connection=get_connection(fail_silently=False),
    )
    mail.attach_alternative(linebreaks(escape(text)), "text/html")
    return mail


def acknowledgement_text(conversation: Conversation, *, team_name: str, expected: str) -> str:
    """Our own words only: the number, never the customer's subject or text (RFC 3834 §3.1.5)."""
    greeting = conversation.customer.greeting_name
    return (
        f"Hello{' ' + greeting if greeting else ''},\n\n"
        f"Thank you for writing to us. We have your message; it is conversation #{conversation.number}.\n\n"
        f"We will answer {expected}. If you write again, reply to this email so that everything stays "
        f"together.\n\n{team_name}"
    )


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


@retrying_task(max_attempts=REPLY_ATTEMPTS)
def acknowledgement_task(acknowledgement_id: int) -> None:
    """Send the automatic acknowledgement of a new conversation (idempotent: sent ones are skipped).

    Here, beside the sending, so that the intake (which enqueues it) and the sweeper (which
    enqueues it again) both import outbound and nothing imports the other way.
    """
    send_acknowledgement(acknowledgement_id)


def sweep_stuck_deliveries(cutoff: datetime) -> list[str]:
    """Enqueue again replies and acknowledgements queued before `cutoff` and still unsent (a lost task).

    Listed in settings.TASK_SWEEPS; the worker's maintenance thread calls it with a cutoff
    at least the stuck-after time ago (core.sweeper). Looks back two days (older ones are
    an operator's matter) and skips sends that are done, in flight under a lease, waiting
    for a retry, or handled since the cutoff.
    """
    ack_task = acknowledgement_task
    from goodwill.conversations.tasks import deliver_reply

    since = timezone.now() - SWEEP_LOOKBACK
    replies = list(
        Message.objects.filter(
            created_at__gte=since,
            created_at__lt=cutoff,
            direction=Message.Direction.OUTBOUND,
            delivery=Message.Delivery.QUEUED,
        ).values_list("pk", flat=True)[:500]
    )
    acks = list(
        Acknowledgement.objects.filter(
            sent_at__isnull=True, created_at__gte=since, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    keys = [f"reply:{pk}" for pk in replies] + [f"ack:{pk}" for pk in acks]
    handled = recently_handled(keys, since=timezone.now() - cutoff)
    swept: list[str] = []
    for key in keys:
        if key in handled:
            continue
        kind, _, pk = key.partition(":")
        note_swept(key)
        if kind == "reply":
            deliver_reply.enqueue(int(pk))
        else:
            ack_task.enqueue(int(pk))
        logger.warning("re-enqueued %s: queued before %s and still unsent", key, f"{cutoff:%H:%M:%S}")
        swept.append(key)
    return swept
