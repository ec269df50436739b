"""Scoring stored messages with the listening engine, and keeping each conversation's mood."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from goodwill.conversations.models import Message
from goodwill.core.bulk import insert_rows
from goodwill.listening.engine import MODEL_VERSION, analyze_message
from goodwill.listening.models import ConversationMood, MessageScore, mood_of, upset_order
from goodwill.listening.turns import (
    notify_repeated_abuse,
    notify_repeated_abuse_many,
    record_turn,
    record_turns,
)


def score_message(message: Message, *, now: datetime | None = None) -> MessageScore | None:
    """Read an inbound message and store (or replace) its score; None for anything else.

    Replies and notes are the team's words, not the customer's: they are never scored.
    """
    if message.direction != Message.Direction.INBOUND:
        return None
    score = _read(message, now or timezone.now())
    with transaction.atomic():
        # One upsert: a retried task or a rescore replaces the earlier reading.
        _upsert([score])
        previous = _remember_mood(message, score)
        record_turn(message, score, previous)
        notify_repeated_abuse(message, score)
    return score


def score_messages(messages: list[Message], *, now: datetime | None = None) -> list[MessageScore]:
    """`score_message` for many messages at once, in one transaction: one multi-row upsert of
    the scores, one read and at most three writes for the conversations' moods; turns and
    repeated abuse are looked for only where a message reads upset or abusive.

    Gives the same rows as scoring the messages one by one in order of arrival.
    """
    at = now or timezone.now()
    inbound = sorted(
        (m for m in messages if m.direction == Message.Direction.INBOUND), key=lambda m: (m.created_at, m.pk)
    )
    inbound = list({m.pk: m for m in inbound}.values())  # each message once
    scores = [_read(message, at) for message in inbound]
    with transaction.atomic():
        _upsert(scores)
        previous = _remember_moods(inbound, scores)
        pairs = list(zip(inbound, scores, strict=True))
        record_turns([(message, score, previous.get(message.pk)) for message, score in pairs])
        notify_repeated_abuse_many(pairs)
    return scores


def _read(message: Message, at: datetime) -> MessageScore:
    analysis = analyze_message(message.display_text)
    mood = mood_of(
        scored=analysis.scored,
        sentiment=analysis.sentiment,
        emotions=analysis.emotions,
        abusive=analysis.abusive,
    )
    return MessageScore(
        message=message,
        scored=analysis.scored,
        reason=analysis.reason[:300],
        language=analysis.language or "",
        sentiment=analysis.sentiment,
        polarity=analysis.polarity or "",
        emotions=dict(analysis.emotions),
        urgency=analysis.urgency,
        urgency_cues=list(analysis.urgency_cues),
        abusive=analysis.abusive,
        abuse_triggers=list(analysis.abuse_triggers),
        cues=list(analysis.cues),
        mood=mood,
        model_version=MODEL_VERSION,
        scored_at=at,
    )


_SCORE_FIELDS = (
    "scored", "reason", "language", "sentiment", "polarity", "emotions", "urgency", "urgency_cues",
    "abusive", "abuse_triggers", "cues", "mood", "model_version", "scored_at",
)  # fmt: skip


def _upsert(scores: list[MessageScore]) -> None:
    """One statement: a retried task or a rescore replaces the earlier reading."""
    insert_rows(
        MessageScore,
        [
            {"message_id": score.message_id, **{name: getattr(score, name) for name in _SCORE_FIELDS}}
            for score in scores
        ],
        unique_fields=("message",),
        update_fields=_SCORE_FIELDS,
    )


MOOD_FIELDS = ["message_id", "message_at", "sentiment", "abusive", "mood", "upset_order"]


def _remember_moods(
    messages: list[Message], scores: list[MessageScore]
) -> dict[int, tuple[int, float | None]]:
    """`_remember_mood` for many messages (in order of arrival): each conversation's mood
    becomes its latest message here, unless a later one is stored already.

    Returns, by message id, the customer's previous message as (id, sentiment) where it is
    known without a lookup: the previous message of the batch, or the mood it replaced.
    """
    previous: dict[int, tuple[int, float | None]] = {}
    latest: dict[int, tuple[Message, MessageScore]] = {}
    for message, score in zip(messages, scores, strict=True):
        before = latest.get(message.conversation_id)
        if before is not None:
            previous[message.pk] = (before[0].pk, before[1].sentiment)
        latest[message.conversation_id] = (message, score)
    current = {
        row[0]: row[1:]
        for row in ConversationMood.objects.filter(conversation_id__in=list(latest))
        .select_for_update()
        .values_list("conversation_id", "message_at", "message_id", "sentiment")
    }
    first_of: dict[int, Message] = {}
    for message in messages:
        first_of.setdefault(message.conversation_id, message)
    new, changed = [], []
    for conversation_id, (message, score) in latest.items():
        mood = ConversationMood(
            conversation_id=conversation_id,
            message_id=message.pk,
            message_at=message.created_at,
            sentiment=score.sentiment,
            abusive=score.abusive,
            mood=score.mood,
            upset_order=upset_order(score.sentiment, score.abusive),
        )
        stored = current.get(conversation_id)
        if stored is None:
            new.append(mood)
        elif (stored[0], stored[1]) <= (message.created_at, message.pk):
            changed.append(mood)
            first = first_of[conversation_id]
            if (stored[0], stored[1]) < (first.created_at, first.pk):
                previous[first.pk] = (stored[1], stored[2])
    if changed:
        # The rows exist (and are locked above): an upsert is one plain multi-row statement,
        # much cheaper to build than bulk_update's CASE per column.
        ConversationMood.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["conversation"], update_fields=MOOD_FIELDS
        )
    if new:
        ConversationMood.objects.bulk_create(new, ignore_conflicts=True)
        _newer_wins(new)
    return previous


def _newer_wins(moods: list[ConversationMood]) -> None:
    """Another worker may have inserted a conversation's mood first: the newer message wins."""
    stored = dict(
        ConversationMood.objects.filter(conversation_id__in=[m.conversation_id for m in moods]).values_list(
            "conversation_id", "message_id"
        )
    )
    for mood in moods:
        if stored.get(mood.conversation_id) != mood.message_id:
            ConversationMood.objects.filter(conversation_id=mood.conversation_id).filter(
                Q(message_at__lt=mood.message_at)
                | Q(message_at=mood.message_at, message_id__lt=mood.message_id)
            ).update(
                message_id=mood.message_id,
                message_at=mood.message_at,
                sentiment=mood.sentiment,
                abusive=mood.abusive,
                mood=mood.mood,
                upset_order=mood.upset_order,
            )


def _remember_mood(message: Message, score: MessageScore) -> tuple[int, float | None] | None:
    """Make `score` the conversation's mood, unless a later inbound message is already there.

    Returns the mood it replaced as (message id, sentiment): the customer's previous message,
    for spotting a sharp turn; None when there was none or this message is not the latest.
    """
    values = {
        "message_id": message.pk,
        "message_at": message.created_at,
        "sentiment": score.sentiment,
        "abusive": score.abusive,
        "mood": score.mood,
        "upset_order": upset_order(score.sentiment, score.abusive),
    }
    moods = ConversationMood.objects.filter(conversation_id=message.conversation_id)
    current = moods.select_for_update().values_list("message_at", "message_id", "sentiment").first()
    if current is None:
        ConversationMood.objects.bulk_create(
            [ConversationMood(conversation_id=message.conversation_id, **values)], ignore_conflicts=True
        )
        # Another worker may have inserted first: the newer message wins.
        moods.filter(
            Q(message_at__lt=message.created_at) | Q(message_at=message.created_at, message_id__lt=message.pk)
        ).update(**values)
        return None
    if (current[0], current[1]) > (message.created_at, message.pk):
        return None
    moods.update(**values)
    return None if current[1] == message.pk else (current[1], current[2])


def scores_for(message_ids: list[int]) -> dict[int, MessageScore]:
    """The stored scores of these messages, by message id (one query)."""
    return {score.message_id: score for score in MessageScore.objects.filter(message_id__in=message_ids)}


@dataclass(frozen=True)
class RescoreReport:
    rescored: int  # messages read again and stored
    remaining_before: int  # inbound messages in range not yet scored by MODEL_VERSION at the start
    seconds: float


def rescore(
    *,
    since: datetime | None = None,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> RescoreReport:
    """Score again every stored inbound message (received at or after `since`) whose score is
    missing or from another MODEL_VERSION, in batches by id.

    Resumable: an interrupted run leaves the finished messages scored by the current version,
    and the next run skips them. `progress(done, total)` is called after each batch.
    """
    started = time.monotonic()
    todo = Message.objects.filter(direction=Message.Direction.INBOUND).exclude(
        listening_score__model_version=MODEL_VERSION
    )
    if since is not None:
        todo = todo.filter(created_at__gte=since)
    total = todo.count()
    done = 0
    after = 0
    while True:
        batch = list(
            todo.filter(pk__gt=after)
            .order_by("pk")
            .only(
                "pk", "conversation_id", "author_customer_id", "direction", "text", "new_text", "created_at"
            )[:batch_size]
        )
        if not batch:
            break
        score_messages(batch)
        done += len(batch)
        after = batch[-1].pk
        if progress is not None:
            progress(done, total)
    return RescoreReport(rescored=done, remaining_before=total, seconds=time.monotonic() - started)
