"""Web-form submissions: spam checks, then a conversation on the web-form channel.

Spam defence needs no third party: a honeypot field people never see, a minimum time to
fill the form in, a per-address limit, and a signed, single-use form token (a replayed post
is refused). A refused post changes nothing; the page keeps what the visitor typed.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts import ratelimit
from goodwill.channels.webform.models import Submission, UsedToken, WebForm
from goodwill.conversations.models import Conversation, CustomField
from goodwill.conversations.services import (
    NewAttachment,
    open_conversation,
    receive_message,
    update_properties,
)
from goodwill.core.deliveries import send_once
from goodwill.core.tasks import retrying_task
from goodwill.core.text import one_line
from goodwill.customers.services import find_or_create_customer_by_email

logger = logging.getLogger("goodwill.webform")

# People take longer than this to fill in a form; scripts do not (settings.WEBFORM_MIN_FILL_SECONDS).
MIN_FILL_SECONDS = 3.0
TOKEN_MAX_AGE = timedelta(hours=12)  # a page left open overnight still works
POSTS_PER_IP = 10  # per RATE_WINDOW, accepted or not
RATE_WINDOW = 60 * 60
FOLLOW_UP_WINDOW = timedelta(days=7)  # a known customer's same-subject request joins the open one


class Refused(Exception):
    """The post is refused as a whole (spam defence or limit); `status` is the HTTP answer."""

    def __init__(self, message: str, *, status: int = 400, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.reason = reason or message


def _salt(form: WebForm) -> str:
    return f"goodwill.webform:{form.slug}"


def issue_token(form: WebForm, *, now: float | None = None) -> str:
    """A signed token for one fill-in of `form`: when it was shown, and a nonce spent on success."""
    issued = time.time() if now is None else now
    return signing.dumps({"n": secrets.token_urlsafe(18), "t": issued}, salt=_salt(form), compress=False)


def check_token(form: WebForm, token: str, *, now: float | None = None) -> str:
    """The token's nonce, or Refused: forged, for another form, expired, too quick, or used."""
    now = time.time() if now is None else now
    try:
        payload = signing.loads(token or "", salt=_salt(form), max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise Refused(
            "This form was open for a long time. Please send it again.", reason="expired token"
        ) from None
    except signing.BadSignature:
        raise Refused("This form could not be checked. Please send it again.", reason="bad token") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise Refused("This form could not be checked. Please send it again.", reason="bad token")
    age = now - float(payload.get("t", 0))
    if age > TOKEN_MAX_AGE.total_seconds():
        raise Refused("This form was open for a long time. Please send it again.", reason="expired token")
    if age < float(getattr(settings, "WEBFORM_MIN_FILL_SECONDS", MIN_FILL_SECONDS)):
        raise Refused("That was quicker than a person types. Please check your message and send it again.",
                      reason="too fast")
    if UsedToken.objects.filter(nonce=payload["n"]).exists():
        raise Refused("This form was sent already.", status=409, reason="replayed")
    return payload["n"]


def check_honeypot(value: str) -> None:
    if value.strip():
        raise Refused("Your message looks automated and was not sent.", reason="honeypot")


def count_post(ip: str | None) -> None:
    if not ratelimit.hit(f"webform-ip:{ip or 'unknown'}", limit=POSTS_PER_IP, window_seconds=RATE_WINDOW):
        raise Refused("Too many messages from your network in the last hour. Please try again later.",
                      status=429, reason="rate limit")


@dataclass
class Visitor:
    """What the visitor typed, already validated by the form."""

    email: str
    message: str
    name: str = ""
    subject: str = ""
    answers: dict[str, Any] = field(default_factory=dict)  # key → value, custom fields
    labels: dict[str, str] = field(default_factory=dict)  # key → label, for the message text


def message_text(visitor: Visitor) -> str:
    """The message as agents read it: the visitor's words, then the form's other answers."""
    lines = [visitor.message.strip()]
    extra = [
        f"{visitor.labels.get(key, key)}: {_shown(value)}"
        for key, value in visitor.answers.items()
        if value not in (None, "", False)
    ]
    if extra:
        lines += ["", "—", *extra]
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if value is True:
        return "yes"
    return one_line(str(value), 500)


def _open_follow_up(form: WebForm, customer_id: int, subject: str) -> Conversation | None:
    """A known customer's open request from this form about the same thing, from the last week."""
    return (
        Conversation.objects.filter(
            customer_id=customer_id,
            channel=Conversation.Channel.WEBFORM,
            status__in=Conversation.OPEN_STATUSES,
            subject__iexact=subject,
            web_submissions__form=form,
            created_at__gte=timezone.now() - FOLLOW_UP_WINDOW,
            merged_into__isnull=True,
        )
        .order_by("-last_message_at")
        .first()
    )


def submit(
    form: WebForm,
    visitor: Visitor,
    *,
    nonce: str,
    attachments: Sequence[NewAttachment] = (),
    ip: str | None = None,
    origin: str = "",
) -> Submission:
    """Spend the token and file the request: all of it, or nothing (Refused when replayed)."""
    subject = one_line(visitor.subject, 300) or form.title
    text = message_text(visitor)
    with transaction.atomic():
        try:
            with transaction.atomic():
                UsedToken.objects.create(nonce=nonce)
        except IntegrityError:
            raise Refused("This form was sent already.", status=409, reason="replayed") from None
        customer = find_or_create_customer_by_email(visitor.email, name=one_line(visitor.name, 200))
        conversation = _open_follow_up(form, customer.pk, subject)
        if conversation is not None:
            message = receive_message(
                conversation, customer=customer, text=text, channel=Conversation.Channel.WEBFORM,
                attachments=attachments,
            )
        else:
            conversation, message = open_conversation(
                customer=customer, subject=subject, channel=Conversation.Channel.WEBFORM, text=text,
                team=form.team, attachments=attachments,
            )
            _file_under(conversation, form, visitor.answers)
        submission = Submission.objects.create(
            form=form, customer=customer, conversation=conversation, message=message,
            answers=visitor.answers, origin=origin[:200], ip=ip,
        )
        if form.send_confirmation:
            transaction.on_commit(partial(send_confirmation_task.enqueue, submission.pk))
    return submission


def _file_under(conversation: Conversation, form: WebForm, answers: dict[str, Any]) -> None:
    """The form's need, and answers whose key is one of the team's custom fields."""
    changes: dict[str, Any] = {}
    if form.need_id and form.need and form.need.is_active:
        changes["need"] = form.need
    keys = set(CustomField.objects.filter(key__in=list(answers)).values_list("key", flat=True))
    fields = {key: answers[key] for key in keys if answers[key] not in (None, "")}
    if not changes and not fields:
        return
    if changes:
        update_properties(conversation, changes, by=None)
    if fields:
        try:
            with transaction.atomic():
                update_properties(conversation, {"custom_fields": fields}, by=None)
        except ValidationError as error:
            # The answers are in the message and on the submission; a type clash with a
            # field the team defined differently must not lose the request.
            logger.warning("web form %s: answers not copied to custom fields: %s", form.slug, error.messages)


def confirmation_mail(submission: Submission) -> EmailMessage | None:
    identity = submission.customer.identities.filter(kind="email").order_by("pk").first()
    if identity is None:
        return None
    conversation = submission.conversation
    portal = f"{settings.BASE_URL.rstrip('/')}{reverse('portal:home')}"
    body = (
        f"{submission.form.thank_you.strip()}\n\n"
        f"Your request number is #{conversation.number}. To add something, answer this email "
        f"or follow it in our customer portal:\n{portal}\n\n"
        "What you sent:\n\n"
        + "\n".join(f"> {line}" for line in (submission.message.text if submission.message else "").splitlines())
        + "\n"
    )
    return EmailMessage(
        subject=f"We received your request #{conversation.number}: {conversation.subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[identity.value],
        headers={"Auto-Submitted": "auto-replied"},
    )


def send_confirmation(submission_id: int) -> None:
    """Mail the visitor once that their request arrived (a Delivery row guards the send)."""
    submission = (
        Submission.objects.select_related("form", "customer", "conversation", "message")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return
    mail = confirmation_mail(submission)
    if mail is None:
        return
    send_once(f"webform-confirmation:{submission.pk}", mail)


@retrying_task(max_attempts=6)
def send_confirmation_task(submission_id: int) -> None:
    send_confirmation(submission_id)


def prune_used_tokens(now: Any) -> str:
    """Periodic: forget spent tokens older than any token can live (they can no longer replay)."""
    deleted, _ = UsedToken.objects.filter(used_at__lt=now - TOKEN_MAX_AGE - timedelta(hours=1)).delete()
    return f"{deleted} spent form tokens forgotten" if deleted else ""
