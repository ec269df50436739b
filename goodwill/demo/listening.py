"""Listening rows for the demo: every demo customer message scored, each conversation's mood.

Runs after the conversations are loaded, in id batches. Demo texts are templates filled with
order numbers and amounts, so each text is read once per distinct shape and
the reading reused (digits folded, the signing name dropped): at 1M conversations this stays minutes, not the hours that reading every
message would take.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from goodwill.conversations.models import Message
from goodwill.listening.engine import MODEL_VERSION, MessageAnalysis, analyze_message
from goodwill.listening.models import ConversationMood, MessageScore, mood_of, upset_order

BATCH = 5_000
_DIGITS = re.compile(r"\d+")


def seed_listening(*, progress: Callable[[str], None] | None = None) -> int:
    """Score the demo's customer messages that have no score yet; returns how many."""
    say = progress or (lambda _text: None)
    readings: dict[str, tuple[MessageAnalysis, str]] = {}
    now = timezone.now()
    after, done = 0, 0
    inbound = Message.objects.filter(direction=Message.Direction.INBOUND, listening_score__isnull=True)
    while True:
        rows = list(
            inbound.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "conversation_id", "new_text", "text", "created_at")[:BATCH]
        )
        if not rows:
            break
        scores, moods = [], {}
        for pk, conversation_id, new_text, text, created_at in rows:
            analysis, mood = _read(readings, new_text or text)
            scores.append(_score_row(pk, analysis, mood, now))
            moods[conversation_id] = _mood(conversation_id, pk, created_at, analysis, mood)
        with transaction.atomic():
            _insert_scores(scores)
            ConversationMood.objects.bulk_create(
                list(moods.values()),
                update_conflicts=True,
                unique_fields=["conversation"],
                update_fields=["message", "message_at", "sentiment", "abusive", "mood"],
            )
        done += len(rows)
        after = rows[-1][0]
        if done % 100_000 < BATCH:
            say(f"  listening: {done:,} customer messages scored ({len(readings):,} distinct shapes)")
    return done


def _read(readings: dict[str, tuple[MessageAnalysis, str]], text: str) -> tuple[MessageAnalysis, str]:
    lines = text.rstrip().split("\n")
    if len(lines) > 1 and len(lines[-1]) <= 30:  # the sender's first name under the sign-off
        lines.pop()
    shape = _DIGITS.sub("0", "\n".join(lines))
    if shape not in readings:
        analysis = analyze_message(text)
        mood = mood_of(
            scored=analysis.scored,
            sentiment=analysis.sentiment,
            emotions=analysis.emotions,
            abusive=analysis.abusive,
        )
        if len(readings) > 200_000:
            readings.clear()
        readings[shape] = (analysis, mood)
    return readings[shape]


_SCORE_COLUMNS = (
    "message_id", "scored", "reason", "language", "sentiment", "polarity", "emotions", "urgency", "urgency_cues",
    "abusive", "abuse_triggers", "cues", "mood", "model_version", "scored_at",
)  # fmt: skip
_JSON_COLUMNS = frozenset({"emotions", "urgency_cues", "abuse_triggers", "cues"})


def _score_row(pk: int, a: MessageAnalysis, mood: str, now: datetime) -> tuple[Any, ...]:
    """One MessageScore row as plain values (the ORM costs ten times the insert at 1M)."""
    return (
        pk, a.scored, a.reason[:300], a.language or "", a.sentiment, a.polarity or "", json.dumps(dict(a.emotions)),
        a.urgency, json.dumps(list(a.urgency_cues)), a.abusive, json.dumps(list(a.abuse_triggers)),
        json.dumps(list(a.cues)), mood, MODEL_VERSION, connection.ops.adapt_datetimefield_value(now),
    )  # fmt: skip


def _insert_scores(rows: list[tuple[Any, ...]]) -> None:
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    table = connection.ops.quote_name(MessageScore._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _SCORE_COLUMNS)
    values = ", ".join(f"%s{json_cast}" if c in _JSON_COLUMNS else "%s" for c in _SCORE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT (message_id) DO NOTHING",  # noqa: S608
            rows,
        )


def _mood(conversation_id: int, pk: int, at: datetime, a: MessageAnalysis, mood: str) -> ConversationMood:
    return ConversationMood(
        conversation_id=conversation_id,
        message_id=pk,
        message_at=at,
        sentiment=a.sentiment,
        abusive=a.abusive,
        mood=mood,
        upset_order=upset_order(a.sentiment, a.abusive),
    )
