"""Sidebar panels: the mood line across a conversation (and across a customer's history), the
sharp-turn flag, and beside an abusive message the team's policy with a calm, firm reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows
from goodwill.core.models import Event
from goodwill.customers.models import Customer
from goodwill.listening.models import MessageScore, MoodTurn
from goodwill.listening.policy import masks_abuse, policy_html, settings_for, suggested_reply

WIDTH, HEIGHT, PAD = 240, 48, 4
CUSTOMER_POINTS = 60  # the customer's latest scored messages on their mood line


@dataclass(frozen=True)
class Point:
    message_id: int
    at: datetime
    sentiment: float
    mood: str
    x: float
    y: float


@dataclass(frozen=True)
class MoodLine:
    points: list[Point]
    path: str  # the SVG polyline's points
    zero_y: float
    summary: str  # the text alternative


def mood_line(rows: list[tuple[int, datetime, float, str]]) -> MoodLine | None:
    """A sparkline of sentiments in time order (x by position, y from -1 at the bottom to +1)."""
    if not rows:
        return None
    span = max(len(rows) - 1, 1)
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def y_of(value: float) -> float:
        return round(PAD + (1 - (value + 1) / 2) * inner_h, 1)

    points = [
        Point(
            pk,
            at,
            sentiment,
            mood,
            round(PAD + (i / span if len(rows) > 1 else 0.5) * inner_w, 1),
            y_of(sentiment),
        )
        for i, (pk, at, sentiment, mood) in enumerate(rows)
    ]
    first, last = rows[0][2], rows[-1][2]
    lowest = min(row[2] for row in rows)
    summary = (
        f"{len(rows)} customer message{'s' if len(rows) != 1 else ''} scored: "
        f"first {_word(first)} ({first:+.2f}), latest {_word(last)} ({last:+.2f}), lowest {lowest:+.2f}."
    ).replace("-", "\u2212")
    return MoodLine(points, " ".join(f"{p.x},{p.y}" for p in points), y_of(0.0), summary)


def _word(sentiment: float) -> str:
    if sentiment <= -0.5:
        return "upset"
    if sentiment <= -0.1:
        return "unhappy"
    if sentiment >= 0.3:
        return "happy"
    return "neutral"


_COLUMNS = ("message_id", "message__created_at", "sentiment", "mood")


def _scored(scores):  # type: ignore[no-untyped-def]
    return scores.filter(scored=True, sentiment__isnull=False)


def conversation_mood_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    """Mood line, turn flag and (when the customer wrote abusively) the policy with a reply."""
    # The scored messages and the abusive ones in one read.
    found = list(
        MessageScore.objects.filter(message__conversation=conversation)
        .filter(Q(scored=True, sentiment__isnull=False) | Q(abusive=True))
        .order_by("message__created_at", "message_id")
        .values_list(*_COLUMNS, "scored", "abusive")
    )
    rows = [
        (pk, at, sentiment, mood)
        for pk, at, sentiment, mood, scored, _ in found
        if scored and sentiment is not None
    ]
    abusive = [row[0] for row in found if row[5]]
    if not rows and not abusive:
        return None
    turn = (
        MoodTurn.objects.filter(conversation=conversation).order_by("-at").first()
        if has_rows(request, conversation, MoodTurn)
        else None
    )
    context: dict[str, object] = {"line": mood_line(rows), "turn": turn, "abusive": abusive}
    if abusive:
        settings = settings_for(conversation.team)
        agent = request.user if isinstance(request.user, Agent) else None
        context.update(
            policy=policy_html(settings.policy_markdown),
            reply=suggested_reply(
                conversation.customer.preferred_name or conversation.customer.name.split(" ")[0]
            ),
            masked=agent is not None and masks_abuse(agent),
            mask_url=reverse("listening:mask"),
            settings_url=(
                reverse("listening:team-settings", args=[conversation.team.slug])
                if agent is not None and agent.is_admin and conversation.team is not None
                else ""
            ),
            next_url=request.get_full_path(),
        )
    return Panel("listening/_mood_panel.html", context)


RECENT_EVENTS = 400  # how far back the customer's mood line looks, in events


def customer_mood_panel(request: HttpRequest, customer: Customer) -> Panel | None:
    """The mood line across the customer's history (their latest scored messages)."""
    # The customer's latest received messages come from their events (index: customer, time),
    # newest first, so a customer with thousands of conversations costs the same as one with two;
    # a join from scores through messages to conversations sorted every message they ever sent.
    # A bounded walk (the newest events, whatever their kind), so a customer whose recent history
    # holds no received message does not read all of it.
    recent = (
        Event.objects.filter(customer=customer)
        .order_by("-created_at", "-id")
        .values_list("kind", "subject_id")[:RECENT_EVENTS]
    )
    message_ids = [int(pk) for kind, pk in recent if kind == Event.Kind.MESSAGE_RECEIVED and pk.isdigit()]
    # `or [0]`: the same three queries whatever the history holds (an empty IN skips the query).
    latest = _scored(MessageScore.objects.filter(message_id__in=message_ids or [0])).order_by(
        "-message__created_at", "-message_id"
    )
    rows = list(reversed(latest.values_list(*_COLUMNS)[:CUSTOMER_POINTS]))
    turns = MoodTurn.objects.filter(conversation__customer=customer).count()
    if not rows:
        return None
    return Panel(
        "listening/_customer_mood.html", {"line": mood_line(rows), "turns": turns, "customer": customer}
    )
