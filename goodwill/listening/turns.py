"""What a new score means for the conversation and the customer: a sharp turn for the worse,
and repeated abuse that the team lead should hear about.

A sharp turn: the customer's previous scored message in the conversation read neutral or
better (sentiment ≥ TURN_FROM) and this one reads upset (≤ TURN_TO). It is stored once per
(conversation, message), so re-scoring or a retried task never doubles it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from goodwill.accounts.notifications import notify_leads
from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event
from goodwill.core.prepared import PreparedQuery
from goodwill.core.services import record_event, record_events
from goodwill.listening.models import MessageScore, MoodTurn
from goodwill.listening.policy import Settings, settings_for

TURN_FROM = 0.0  # the earlier message read at least neutral
TURN_TO = -0.5  # and this one reads clearly upset


def record_turn(
    message: Message, score: MessageScore, previous: tuple[int, float | None] | None = None
) -> MoodTurn | None:
    """Store the turn for the worse that `message` makes, if it makes one. `previous` is the
    customer's message before it as (id, sentiment) when the caller knows it (the mood it
    replaced); otherwise it is looked up (re-scoring an older message)."""
    turn = turn_of(message, score, previous)
    if turn is None:
        return None
    stored, created = MoodTurn.objects.get_or_create(
        conversation_id=turn.conversation_id,
        message=message,
        defaults={
            "previous_id": turn.previous_id,
            "from_sentiment": turn.from_sentiment,
            "to_sentiment": turn.to_sentiment,
            "at": turn.at,
        },
    )
    if created:  # service recovery may open a case on it (goodwill/subscribers.py)
        record_event(
            Event.Kind.MOOD_TURNED,
            conversation=message.conversation,
            subject=stored,
            at=stored.at,
            after={"from": stored.from_sentiment, "to": stored.to_sentiment, "message": message.pk},
        )
    return stored


def record_turns(items: list[tuple[Message, MessageScore, tuple[int, float | None] | None]]) -> None:
    """`record_turn` for many messages: the turns they make stored with one insert."""
    # The customer's previous message, where the caller does not know it, for the upset ones only.
    unknown = [m for m, s, p in items if p is None and s.sentiment is not None and s.sentiment <= TURN_TO]
    found = _previous_inbound_many(unknown)
    turns = [
        turn
        for turn in (
            turn_of(message, score, previous if previous is not None else found.get(message.pk, _NONE))
            for message, score, previous in items
        )
        if turn is not None
    ]
    if not turns:
        return
    known = set(
        MoodTurn.objects.filter(message_id__in=[turn.message_id for turn in turns]).values_list(
            "conversation_id", "message_id"
        )
    )
    fresh = [turn for turn in turns if (turn.conversation_id, turn.message_id) not in known]
    MoodTurn.objects.bulk_create(turns, ignore_conflicts=True)
    if not fresh:
        return
    stored = {
        row.message_id: row
        for row in MoodTurn.objects.filter(message_id__in=[turn.message_id for turn in fresh])
    }
    customers = dict(
        Conversation.objects.filter(pk__in={turn.conversation_id for turn in fresh}).values_list(
            "pk", "customer_id"
        )
    )
    # One event per new turn, as record_turn writes (service recovery may open a case on it).
    record_events(
        [
            Event(
                kind=Event.Kind.MOOD_TURNED,
                conversation_id=turn.conversation_id,
                customer_id=customers.get(turn.conversation_id),
                subject_type=MoodTurn._meta.label_lower,
                subject_id=str(stored[turn.message_id].pk),
                after={"from": turn.from_sentiment, "to": turn.to_sentiment, "message": turn.message_id},
                created_at=turn.at,
            )
            for turn in fresh
            if turn.message_id in stored
        ]
    )


def turn_of(
    message: Message, score: MessageScore, previous: tuple[int, float | None] | None = None
) -> MoodTurn | None:
    """The (unsaved) turn for the worse that `message` makes, or None."""
    if score.sentiment is None or score.sentiment > TURN_TO:
        return None
    if previous is None:
        previous = _previous_inbound(message)
    if previous is None or previous[1] is None or previous[1] < TURN_FROM:
        return None
    return MoodTurn(
        conversation_id=message.conversation_id,
        message=message,
        previous_id=previous[0],
        from_sentiment=previous[1],
        to_sentiment=score.sentiment,
        at=message.created_at,
    )


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


_NONE = (0, None)  # no previous message (or one never scored): no turn, and no lookup


def _previous_inbound_many(messages: list[Message]) -> dict[int, tuple[int, float | None]]:
    """`_previous_inbound` of many messages in two queries, by message id (absent: none)."""
    if not messages:
        return {}
    earlier = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"), direction=Message.Direction.INBOUND
        )
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
        )
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    previous = {
        pk: before
        for pk, before in Message.objects.filter(pk__in=[m.pk for m in messages])
        .annotate(before=Subquery(earlier))
        .values_list("pk", "before")
        if before is not None
    }
    sentiments = dict(
        MessageScore.objects.filter(message_id__in=set(previous.values()), scored=True).values_list(
            "message_id", "sentiment"
        )
    )
    return {pk: (before, sentiments.get(before)) for pk, before in previous.items()}
# Built once per process: the inbox asks on every page for its rows' badges (core.prepared).
_TURNED_OF = PreparedQuery(
    lambda ids: MoodTurn.objects.filter(conversation_id__in=ids).values_list("conversation_id")
)


def turned_conversations(conversation_ids: list[int]) -> set[int]:
    """Which of these conversations took a sharp turn for the worse (one query)."""
    return {pk for (pk,) in _TURNED_OF.rows(conversation_ids)}


def notify_repeated_abuse(message: Message, score: MessageScore) -> bool:
    """Tell the team lead, once, when this customer wrote abusively `repeat_abuse_count` times
    within `repeat_abuse_days` (the team's settings). True when a notice was stored now."""
    return bool(notify_repeated_abuse_many([(message, score)]))


def notify_repeated_abuse_many(pairs: list[tuple[Message, MessageScore]]) -> set[int]:
    """`notify_repeated_abuse` for each (message, score), in order, with the batch's reads shared:
    its conversations (with team and customer) in one query, each team's settings once, and the
    abusive messages of its abusive customers in one query. Returns the ids of the messages
    whose notice was stored now."""
    abusive_pairs = [(m, s) for m, s in pairs if s.abusive and m.author_customer_id is not None]
    if not abusive_pairs:
        return set()
    conversations = Conversation.objects.select_related("team", "customer").in_bulk(
        {message.conversation_id for message, _ in abusive_pairs}
    )
    settings: dict[int | None, Settings] = {}
    windows = []
    for message, _ in abusive_pairs:
        conversation = conversations[message.conversation_id]
        if conversation.team_id not in settings:
            settings[conversation.team_id] = settings_for(conversation.team)
        days = settings[conversation.team_id].repeat_abuse_days
        windows.append((message, conversation, message.created_at - timedelta(days=days)))
    by_customer: dict[int, list[tuple[datetime, int]]] = {}
    for pk, customer_id, at in (
        Message.objects.filter(
            author_customer_id__in={message.author_customer_id for message, _, _ in windows},
            direction=Message.Direction.INBOUND,
            created_at__gte=min(since for _, _, since in windows),
            created_at__lte=max(message.created_at for message, _, _ in windows),
            listening_score__abusive=True,
        )
        .order_by("created_at", "id")
        .values_list("id", "author_customer_id", "created_at")
    ):
        by_customer.setdefault(customer_id, []).append((at, pk))
    notified: set[int] = set()
    keys: set[tuple[str, int | None]] = set()
    for message, conversation, since in windows:
        rules = settings[conversation.team_id]
        abusive = [
            pk
            for at, pk in by_customer.get(message.author_customer_id, [])  # type: ignore[arg-type]
            if since <= at <= message.created_at
        ]
        if len(abusive) < rules.repeat_abuse_count:
            continue
        customer = conversation.customer
        # Keyed by the first abusive message of the window: one notice per run of abuse.
        key = f"listening.repeated-abuse:{customer.pk}:{abusive[0]}"
        if (key, conversation.team_id) in keys:  # raised for an earlier message of the batch
            continue
        keys.add((key, conversation.team_id))
        created = notify_leads(
            conversation.team,
            key=key,
            title=f"Repeated abuse from {customer}",
            body=(
                f"{customer} has written {len(abusive)} abusive messages in the last "
                f"{rules.repeat_abuse_days} days. The latest is in conversation #{conversation.number}."
            ),
            url=reverse("conversations:detail", args=[conversation.number]),
            kind="listening",
            email=True,
        )
        if created:
            notified.add(message.pk)
    return notified
