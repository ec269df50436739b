"""Complaints to improvements: thank the customer, listen, act, and tell them when it changed.

A complaint is acknowledged with thanks (not an apology script: the essays say a complaint is a
gift that shows where to improve), linked to an improvement, and when that improvement ships
every customer who raised it is told once, in their own conversation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_reply
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.voice.extra_mile_days import mark_conversations
from goodwill.voice.models import Complaint, ExtraMile, Improvement

COMPLAINT_WORDS = re.compile(
    r"\b(complain(?:t|ing)?|unacceptable|disgrace(?:ful)?|appalling|worst service|not good enough|"
    r"very disappointed|let down|fed up)\b",
    re.IGNORECASE,
)
UPSET_SENTIMENT = -0.5


def acknowledgement_text(conversation: Conversation) -> str:
    name = conversation.customer.preferred_name or conversation.customer.name.split(" ")[0] or "there"
    return (
        f"Hello {name},\n\n"
        "Thank you for telling us. A complaint shows us where we fall short, and we would rather hear it "
        "than have you leave without a word.\n\n"
        "I have read what you wrote and understood what went wrong for you. I have passed it on to the "
        "people who can change it, and I will tell you what we do about it.\n"
    )


def looks_like_a_complaint(conversation: Conversation, messages: Sequence[Any] | None = None) -> str:
    """Why the conversation reads like a complaint ("" when it does not): listening's mood, or its words.

    `messages`: every message of the conversation in time order when the caller has them
    (the conversation page's timeline), so the first one the customer wrote is not read again.
    """
    mood = getattr(conversation, "listening_mood", None)
    if mood is not None and mood.sentiment is not None and mood.sentiment <= UPSET_SENTIMENT:
        return f"the customer's latest message reads upset (sentiment {mood.sentiment:+.2f})"
    if messages is None:
        first = (
            Message.objects.filter(conversation=conversation, direction="in")
            .order_by("created_at", "pk")
            .first()
        )
    else:
        first = next((message for message in messages if message.direction == "in"), None)
    match = COMPLAINT_WORDS.search(first.text if first else "")
    return f"the customer wrote “{match.group(0)}”" if match else ""


def mark_complaint(conversation: Conversation, *, by: Agent, summary: str = "") -> Complaint:
    require(by, Action.NOTE)
    with transaction.atomic():
        complaint, created = Complaint.objects.get_or_create(
            conversation=conversation,
            defaults={"customer": conversation.customer, "marked_by": by, "summary": summary.strip()[:300]},
        )
        if created:  # service recovery opens a case on it (goodwill/subscribers.py)
            record_event(
                Event.Kind.COMPLAINT_MARKED,
                actor=by,
                conversation=conversation,
                subject=complaint,
                after={"complaint": "marked", "summary": complaint.summary},
            )
    return complaint


def acknowledge(complaint: Complaint, *, by: Agent, text: str) -> Message:
    """Thank the customer in their conversation (once)."""
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.acknowledged_at is not None:
            raise ValidationError("This complaint was acknowledged already.")
        conversation = locked.conversation
        message = add_reply(conversation, by=by, text=text, status=conversation.status)
        Complaint.objects.filter(pk=locked.pk).update(acknowledged_at=timezone.now())
    return message


def link_improvement(complaint: Complaint, improvement: Improvement | None, *, by: Agent) -> None:
    require(by, Action.NOTE)
    Complaint.objects.filter(pk=complaint.pk).update(improvement=improvement)


def create_improvement(
    *, title: str, by: Agent, description: str = "", owner: Agent | None = None
) -> Improvement:
    require(by, Action.EDIT_PROPERTIES)
    if not title.strip():
        raise ValidationError({"title": "Give the improvement a title."})
    return Improvement.objects.create(
        title=title.strip()[:200], description=description.strip(), owner=owner or by
    )


def change_improvement(
    improvement: Improvement, *, status: str, by: Agent, reason: str = "", announcement: str = ""
) -> int:
    """Move an improvement on; shipping tells each customer who raised it, once. Returns how many were told."""
    require(by, Action.EDIT_PROPERTIES)
    if status not in Improvement.Status.values:
        raise ValidationError({"status": "Unknown status."})
    if status == Improvement.Status.WONT_DO and not reason.strip():
        raise ValidationError({"reason": "Say why it will not be done."})
    if status == Improvement.Status.SHIPPED and not (
        announcement.strip() or improvement.announcement.strip()
    ):
        raise ValidationError({"announcement": "Write what customers are told when it ships."})
    with transaction.atomic():
        Improvement.objects.filter(pk=improvement.pk).update(
            status=status,
            reason=reason.strip() or improvement.reason,
            announcement=announcement.strip() or improvement.announcement,
            shipped_at=timezone.now() if status == Improvement.Status.SHIPPED else improvement.shipped_at,
        )
        improvement.refresh_from_db()
    return tell_customers(improvement, by=by) if status == Improvement.Status.SHIPPED else 0


def tell_customers(improvement: Improvement, *, by: Agent) -> int:
    """Each complaint linked to a shipped improvement gets one reply in its conversation, never two."""
    told = 0
    for complaint_id in Complaint.objects.filter(
        improvement=improvement, notified_at__isnull=True
    ).values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Complaint.objects.filter(pk=complaint_id, notified_at__isnull=True).update(
                notified_at=timezone.now()
            )
            if not claimed:
                continue  # another request or worker told them
            complaint = Complaint.objects.select_related("conversation", "conversation__customer").get(
                pk=complaint_id
            )
            conversation = complaint.conversation
            add_reply(conversation, by=by, text=improvement.announcement, status=conversation.status)
            record_event(
                Event.Kind.OTHER,
                actor=by,
                conversation=conversation,
                subject=improvement,
                after={"improvement": improvement.title, "status": "shipped", "told": True},
            )
            told += 1
    return told


def log_extra_mile(
    conversation: Conversation, *, by: Agent, what: str, cost: Decimal | str = "0"
) -> ExtraMile:
    require(by, Action.NOTE)
    if not what.strip():
        raise ValidationError({"what": "Say what you did."})
    try:
        amount = Decimal(str(cost or "0"))
    except ArithmeticError:
        raise ValidationError({"cost": "Enter an amount like 12.50."}) from None
    if amount < 0 or amount >= Decimal("100000000"):
        raise ValidationError({"cost": "Enter an amount like 12.50."})
    mile = ExtraMile.objects.create(conversation=conversation, agent=by, what=what.strip()[:300], cost=amount)
    # The report's figures for its day; marked after the commit, as extra_mile_days requires.
    transaction.on_commit(lambda: mark_conversations([conversation.pk]))
    return mile
