"""The extra-mile report: each action beside the feedback and the return that followed, and
conversations with an extra-mile action compared with those without.

"Came back" is the grid's rule (`grid.came_back`): a new conversation or a posted return within
30 or 90 days, here counted from the end of the conversation (solved, else its last message), and
only for conversations old enough for the window to have passed. The comparison reads the daily
figures kept by `extra_mile_days` (whole local days); the list of actions (at most 200) searches
each one's future directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BooleanField, DateTimeField, ExpressionWrapper, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.voice.grid import WINDOWS, Rate, came_back
from goodwill.voice.models import ExtraMile, ExtraMileDay

LIST_LIMIT = 200


@dataclass
class Filters:
    since: datetime
    until: datetime
    team_id: int | None = None
    agent_id: int | None = None
    # Restricted teams the reader is not in (`restricted_team_ids_hidden_from`): left out of both.
    hidden_team_ids: tuple[int, ...] = ()


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
    if filters.hidden_team_ids:
        rows = rows.exclude(conversation__team_id__in=filters.hidden_team_ids)
    ended = Coalesce("conversation__solved_at", "conversation__last_message_at", output_field=DateTimeField())
    picked = list(
        rows.annotate(ended=ended)
        .order_by("-created_at", "-pk")
        .select_related("conversation", "conversation__customer", "agent")[:LIST_LIMIT]
    )
    conversations = {mile.conversation_id for mile in picked}
    followed = {
        row["pk"]: row
        for row in _with_returns(Conversation.objects.filter(pk__in=conversations).with_ended()).values(
            "pk", "ended", "survey__outcome", "survey__conduct", *(f"back_{d}" for d in WINDOWS)
        )
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


def _days(filters: Filters) -> tuple[date, date]:
    """The period as whole local days, first and last included."""
    return timezone.localdate(filters.since), timezone.localdate(filters.until - timedelta(microseconds=1))


def comparison(filters: Filters, *, now: datetime | None = None) -> list[Group]:
    """Finished conversations that ended in the period, with an extra-mile action and without.

    Read from the stored daily figures (`extra_mile_days`). A day counts towards a window once the
    window has passed for the whole day.
    """
    now = now or timezone.now()
    first, last = _days(filters)
    rows = ExtraMileDay.objects.filter(day__gte=first, day__lte=last)
    if filters.team_id is not None:
        rows = rows.filter(team_id=filters.team_id)
    if filters.agent_id is not None:
        rows = rows.filter(agent_id=filters.agent_id)
    if filters.hidden_team_ids:
        rows = rows.exclude(team_id__in=filters.hidden_team_ids)
    aggregates: dict[str, Any] = {
        f"total_{name}": Coalesce(Sum(name), 0)
        for name in ("conversations", "answers", "need_met", "conduct_total", "conduct_count")
    }
    for days in WINDOWS:
        old_enough = Q(day__lt=timezone.localdate(now - timedelta(days=days)))
        aggregates[f"eligible_{days}"] = Coalesce(Sum("conversations", filter=old_enough), 0)
        aggregates[f"back_{days}"] = Coalesce(Sum(f"returned_{days}", filter=old_enough), 0)
    grouped: Any = rows.values("went").annotate(**aggregates).order_by()
    found: dict[bool, dict[str, Any]] = {row["went"]: row for row in grouped}
    groups = []
    for went, label in ((True, "With an extra-mile action"), (False, "Without")):
        row = found.get(went, {})
        rates = [Rate(days, row.get(f"eligible_{days}", 0), row.get(f"back_{days}", 0)) for days in WINDOWS]
        counted = row.get("total_conduct_count", 0)
        groups.append(
            Group(
                label,
                row.get("total_conversations", 0),
                row.get("total_answers", 0),
                row.get("total_need_met", 0),
                row.get("total_conduct_total", 0) / counted if counted else None,
                rates,
            )
        )
    return groups
