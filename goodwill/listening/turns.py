"""What a new score means for the conversation and the customer: a sharp turn for the worse,
and repeated abuse that the team lead should hear about.

A sharp turn: the customer's previous scored message in the conversation read neutral or
better (sentiment ≥ TURN_FROM) and this one reads upset (≤ TURN_TO). It is stored once per
(conversation, message), so re-scoring or a retried task never doubles it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse

from goodwill.accounts.notifications import notify_leads
from goodwill.conversations.models import Message
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.listening.models import MessageScore, MoodTurn
from goodwill.listening.policy import settings_for

TURN_FROM = 0.0  # the earlier message read at least neutral
TURN_TO = -0.5  # and this one reads clearly upset


def record_turn(
    message: Message, score: MessageScore, previous: tuple[int, float | None] | None = None
) -> MoodTurn | None:
    """Store the turn for the worse that `message` makes, if it makes one. `previous` is the
    customer's message before it as (id, sentiment) when the caller knows it (the mood it
    replaced); otherwise it is looked up (re-scoring an older message)."""
    if score.sentiment is None or score.sentiment > TURN_TO:
        return None
    if previous is None:
        previous = _previous_inbound(message)
    if previous is None or previous[1] is None or previous[1] < TURN_FROM:
        return None
    turn, created = MoodTurn.objects.get_or_create(
        conversation_id=message.conversation_id,
        message=message,
        defaults={
            "previous_id": previous[0],
            "from_sentiment": previous[1],
            "to_sentiment": score.sentiment,
            "at": message.created_at,
        },
    )
    if created:  # service recovery may open a case on it (goodwill/subscribers.py)
        record_event(
            Event.Kind.MOOD_TURNED, conversation=message.conversation, subject=turn, at=turn.at,
            after={"from": turn.from_sentiment, "to": turn.to_sentiment, "message": message.pk},
        )
    return turn


def _previous_inbound(message: Message) -> tuple[int, float | None] | None:
    earlier = (
        Message.objects.filter(conversation_id=message.conversation_id, direction=Message.Direction.INBOUND)
        .filter(Q(created_at__lt=message.created_at) | Q(created_at=message.created_at, pk__lt=message.pk))
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if earlier is None:
        return None
    sentiment = (
        MessageScore.objects.filter(message_id=earlier, scored=True)
        .values_list("sentiment", flat=True)
        .first()
    )
    return earlier, sentiment


def turned_conversations(conversation_ids: list[int]) -> set[int]:
    """Which of these conversations took a sharp turn for the worse (one query)."""
    return set(
        MoodTurn.objects.filter(conversation_id__in=conversation_ids).values_list(
            "conversation_id", flat=True
        )
    )


def notify_repeated_abuse(message: Message, score: MessageScore) -> bool:
    """Tell the team lead, once, when this customer wrote abusively `repeat_abuse_count` times
    within `repeat_abuse_days` (the team's settings). True when a notice was stored now."""
    if not score.abusive or message.author_customer_id is None:
        return False
    conversation = message.conversation
    settings = settings_for(conversation.team)
    since = message.created_at - timedelta(days=settings.repeat_abuse_days)
    abusive = list(
        Message.objects.filter(
            author_customer_id=message.author_customer_id,
            direction=Message.Direction.INBOUND,
            created_at__gte=since,
            created_at__lte=message.created_at,
            listening_score__abusive=True,
        )
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    if len(abusive) < settings.repeat_abuse_count:
        return False
    customer = conversation.customer
    # Keyed by the first abusive message of the window: one notice per run of abuse.
    created = notify_leads(
        conversation.team,
        key=f"listening.repeated-abuse:{customer.pk}:{abusive[0]}",
        title=f"Repeated abuse from {customer}",
        body=(
            f"{customer} has written {len(abusive)} abusive messages in the last "
            f"{settings.repeat_abuse_days} days. The latest is in conversation #{conversation.number}."
        ),
        url=reverse("conversations:detail", args=[conversation.number]),
        kind="listening",
        email=True,
    )
    return bool(created)
