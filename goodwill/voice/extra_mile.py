"""The extra-mile report: each action beside the feedback and the return that followed, and
conversations with an extra-mile action compared with those without.

"Came back" is the grid's rule (`grid.came_back`): a new conversation or a posted return within
30 or 90 days, here counted from the end of the conversation (solved, else its last message), and
only for conversations old enough for the window to have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.voice.grid import WINDOWS, Rate, came_back
from goodwill.voice.models import ExtraMile

LIST_LIMIT = 200
FINISHED = (Conversation.Status.SOLVED, Conversation.Status.CLOSED)


@dataclass
class Filters:
    since: datetime
    until: datetime
    team_id: int | None = None
    agent_id: int | None = None


def _ended() -> Coalesce:
    return Coalesce("solved_at", "last_message_at", output_field=DateTimeField())


def _with_returns(rows: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
    """Annotate back_30/back_90 on conversations (prefix "") or on rows pointing at one ("conversation__")."""
    annotations = {
        f"back_{days}": ExpressionWrapper(
            came_back(days, since=f"{prefix}ended", customer=f"{prefix}customer_id"),
            output_field=BooleanField(),
        )
        for days in WINDOWS
    }
    return rows.annotate(**annotations)


@dataclass
class Action:
    mile: ExtraMile
    ended: datetime
    outcome: str
    conduct: int | None
    came_back: dict[int, bool | None]  # None: too early to tell


def actions(filters: Filters, *, now: datetime | None = None) -> list[Action]:
    """The newest extra-mile actions in the period (at most LIST_LIMIT), each with what followed."""
    now = now or timezone.now()
    rows = ExtraMile.objects.filter(created_at__gte=filters.since, created_at__lt=filters.until)
    if filters.team_id is not None:
        rows = rows.filter(conversation__team_id=filters.team_id)
    if filters.agent_id is not None:
        rows = rows.filter(agent_id=filters.agent_id)
    ended = Coalesce("conversation__solved_at", "conversation__last_message_at", output_field=DateTimeField())
    picked = list(
        rows.annotate(ended=ended)
        .order_by("-created_at", "-pk")
        .select_related("conversation", "conversation__customer", "agent")[:LIST_LIMIT]
    )
    conversations = {mile.conversation_id for mile in picked}
    followed = {
        row["pk"]: row
        for row in _with_returns(
            Conversation.objects.filter(pk__in=conversations).annotate(ended=_ended())
        ).values("pk", "ended", "survey__outcome", "survey__conduct", *(f"back_{d}" for d in WINDOWS))
    }
    out = []
    for mile in picked:
        row = followed[mile.conversation_id]
        back = {
            d: (bool(row[f"back_{d}"]) if row["ended"] <= now - timedelta(days=d) else None) for d in WINDOWS
        }
        out.append(Action(mile, row["ended"], row["survey__outcome"] or "", row["survey__conduct"], back))
    return out


@dataclass
class Group:
    label: str
    conversations: int
    answers: int
    need_met: int  # answered "yes"
    conduct: float | None
    rates: list[Rate]

    @property
    def need_met_rate(self) -> Rate:
        return Rate(0, self.answers, self.need_met)


def comparison(filters: Filters, *, now: datetime | None = None) -> list[Group]:
    """Finished conversations that ended in the period, with an extra-mile action and without."""
    now = now or timezone.now()
    rows = (
        Conversation.objects.filter(status__in=FINISHED)
        .annotate(ended=_ended())
        .filter(ended__gte=filters.since, ended__lt=filters.until)
    )
    if filters.team_id is not None:
        rows = rows.filter(team_id=filters.team_id)
    if filters.agent_id is not None:
        rows = rows.filter(assignee_id=filters.agent_id)
    rows = _with_returns(rows).annotate(went=Exists(ExtraMile.objects.filter(conversation_id=OuterRef("pk"))))
    aggregates: dict[str, Any] = {
        "conversations": Count("pk"),
        "answers": Count("pk", filter=Q(survey__answered_at__isnull=False)),
        "need_met": Count("pk", filter=Q(survey__outcome="yes")),
        "conduct": Avg("survey__conduct"),
    }
    for days in WINDOWS:
        old_enough = Q(ended__lte=now - timedelta(days=days))
        aggregates[f"eligible_{days}"] = Count("pk", filter=old_enough)
        aggregates[f"returned_{days}"] = Count("pk", filter=old_enough & Q(**{f"back_{days}": True}))
    found = {row["went"]: row for row in rows.values("went").annotate(**aggregates).order_by()}
    groups = []
    for went, label in ((True, "With an extra-mile action"), (False, "Without")):
        row = found.get(went, {})
        rates = [
            Rate(days, row.get(f"eligible_{days}", 0), row.get(f"returned_{days}", 0)) for days in WINDOWS
        ]
        groups.append(
            Group(
                label,
                row.get("conversations", 0),
                row.get("answers", 0),
                row.get("need_met", 0),
                row.get("conduct"),
                rates,
            )
        )
    return groups
