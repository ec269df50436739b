"""Scheduling, keeping and cancelling call-backs; reminders; the optional confirmation to the customer."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.notifications import notify
from goodwill.accounts.policy import Action, require
from goodwill.callbacks.models import CallBack
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import log_contact
from goodwill.conversations.visibility import can_see_conversation
from goodwill.core.deliveries import send_once
from goodwill.core.tasks import retrying_task
from goodwill.customers.models import Identity

REMIND_BEFORE = timedelta(minutes=15)
PHONE_DIGITS = 5


def default_phone(conversation: Conversation) -> str:
    """The customer's first phone number. Through `identities.all()`, so the conversation page's
    prefetched identities (its customer card lists them) answer it without a query."""
    phones = [
        identity
        for identity in conversation.customer.identities.all()
        if identity.kind == Identity.Kind.PHONE
    ]
    return min(phones, key=lambda identity: identity.pk).value if phones else ""


def _clean_phone(phone: str) -> str:
    phone = " ".join((phone or "").split())
    if sum(ch.isdigit() for ch in phone) < PHONE_DIGITS or len(phone) > 40:
        raise ValidationError({"phone": "Enter the number to call (at least 5 digits)."})
    return phone


def schedule_callback(
    conversation: Conversation,
    *,
    by: Agent,
    due_at: datetime,
    phone: str,
    owner: Agent | None = None,
    note: str = "",
    confirm_to_customer: bool = False,
    now: datetime | None = None,
) -> CallBack:
    """Promise to call the customer back at `due_at`. Raises ValidationError with a message per field."""
    require(by, Action.LOG_CONTACT)
    owner = owner or by
    errors: dict[str, str] = {}
    if due_at <= (now or timezone.now()):
        errors["due_at"] = "Choose a time in the future."
    try:
        phone = _clean_phone(phone)
    except ValidationError as error:
        errors.update({key: " ".join(value) for key, value in error.message_dict.items()})
    if not owner.is_active or owner.is_light or not can_see_conversation(owner, conversation):
        errors["owner"] = f"{owner.display_name} cannot take this call (inactive, light agent or no access)."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        callback = CallBack.objects.create(
            conversation=conversation,
            customer=conversation.customer,
            owner=owner,
            created_by=by,
            due_at=due_at,
            phone=phone,
            note=note.strip()[:500],
            confirm_to_customer=confirm_to_customer,
        )
        if owner != by:
            notify(
                [owner],
                key=f"callback:{callback.pk}:assigned",
                kind="callback",
                title=f"{by.display_name} asked you to call {conversation.customer} back",
                body=_when(callback, owner),
                url=_url(conversation),
            )
        if confirm_to_customer:
            transaction.on_commit(partial(send_confirmation_task.enqueue, callback.pk))
    return callback


def log_call(callback: CallBack, *, by: Agent, text: str) -> Message:
    """Keep the call-back: log the call on its conversation and close it, in one transaction."""
    require(by, Action.LOG_CONTACT)
    if not text.strip():
        raise ValidationError({"text": "Say what the call was about."})
    with transaction.atomic():
        locked = CallBack.objects.select_for_update().get(pk=callback.pk)
        if not locked.is_open:
            raise ValidationError("This call-back is closed already.")
        _conversation, message = log_contact(
            by=by,
            customer=locked.customer,
            kind=Message.Kind.PHONE,
            text=text.strip(),
            conversation=locked.conversation,
        )
        CallBack.objects.filter(pk=locked.pk).update(
            state=CallBack.State.DONE, closed_at=timezone.now(), closed_by=by, call_message=message
        )
    return message


def cancel_callback(callback: CallBack, *, by: Agent, reason: str = "") -> None:
    require(by, Action.LOG_CONTACT)
    updated = CallBack.objects.filter(pk=callback.pk, state=CallBack.State.OPEN).update(
        state=CallBack.State.CANCELLED,
        closed_at=timezone.now(),
        closed_by=by,
        cancel_reason=reason.strip()[:300],
    )
    if not updated:
        raise ValidationError("This call-back is closed already.")


def _url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _when(callback: CallBack, agent: Agent | None) -> str:
    local = callback.due_at.astimezone(_zone(agent.time_zone if agent else "UTC"))
    return f"Call {callback.phone} at {local:%a %d %b %H:%M} ({local.tzname()})." + (
        f" {callback.note}" if callback.note else ""
    )


def remind_due(now: datetime) -> str:
    """Periodic: tell each owner once, shortly before the time (and at once if it is past)."""
    due = list(
        CallBack.objects.select_related("owner", "conversation", "customer")
        .filter(state=CallBack.State.OPEN, reminded_at__isnull=True, due_at__lte=now + REMIND_BEFORE)
        .order_by("due_at")[:500]
    )
    for callback in due:
        with transaction.atomic():
            claimed = CallBack.objects.filter(pk=callback.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed and callback.owner is not None:
                notify(
                    [callback.owner],
                    key=f"callback:{callback.pk}:due",
                    kind="callback",
                    email=True,
                    title=f"Call {callback.customer} back",
                    body=_when(callback, callback.owner),
                    url=_url(callback.conversation),
                )
    return f"{len(due)} call-back reminders" if due else ""


def confirmation_mail(callback: CallBack) -> EmailMessage | None:
    identity = callback.customer.identities.filter(kind=Identity.Kind.EMAIL).order_by("pk").first()
    if identity is None:
        return None
    local = callback.due_at.astimezone(_zone(callback.customer.time_zone))
    name = callback.customer.preferred_name or callback.customer.name
    caller = callback.owner.display_name if callback.owner else "We"
    body = (
        f"Hello{' ' + name if name else ''},\n\n"
        f"As agreed, {caller} will call you on {local:%A %d %B} at {local:%H:%M} ({local.tzname()}) "
        f"on {callback.phone}.\n\nIf that time or number no longer suits you, just answer this email.\n"
    )
    return EmailMessage(
        subject=f"We will call you back on {local:%A %d %B} at {local:%H:%M}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[identity.value],
        headers={"Auto-Submitted": "auto-generated"},
    )


def send_confirmation(callback_id: int) -> None:
    callback = CallBack.objects.select_related("customer", "owner").filter(pk=callback_id).first()
    if callback is None or not callback.is_open:
        return
    mail = confirmation_mail(callback)
    if mail is None:
        return
    send_once(f"callback-confirmation:{callback.pk}", mail)


@retrying_task(max_attempts=6)
def send_confirmation_task(callback_id: int) -> None:
    send_confirmation(callback_id)
