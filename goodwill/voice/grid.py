"""The outcome × conduct grid: for each quadrant, how many customers came back within 30 and 90 days.

The essays claim a bad outcome with good conduct still keeps the customer. Each quadrant shows its
answers and the share of customers who came back (a new conversation, or a "returned" event posted
through the API) within 30 and 90 days of answering, with a 95% Wilson interval, counting only
answers old enough for the window to have passed (a week-old answer says nothing about 30 days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.voice.models import ReturnEvent, Survey

WINDOWS = (30, 90)
QUADRANTS = (
    ("met-good", "Need met, treated well"),
    ("met-poor", "Need met, treated poorly"),
    ("unmet-good", "Need not (fully) met, treated well"),
    ("unmet-poor", "Need not (fully) met, treated poorly"),
)


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95% Wilson score interval for a proportion; None without observations."""
    if total == 0:
        return None
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - margin), min(1.0, centre + margin)


@dataclass
class Rate:
    days: int
    eligible: int
    returned: int

    @property
    def share(self) -> float | None:
        return self.returned / self.eligible if self.eligible else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.returned, self.eligible)


@dataclass
class Quadrant:
    key: str
    label: str
    answers: int
    rates: list[Rate]


def came_back(days: int, *, since: str = "answered_at", customer: str = "customer_id") -> Q:
    """The customer (field `customer` of the outer row) opened a new conversation or posted a return
    within `days` after the outer row's `since` time. One rule for the grid and the extra-mile report."""
    until = ExpressionWrapper(OuterRef(since) + timedelta(days=days), output_field=DateTimeField())
    conversation = Conversation.objects.filter(
        customer_id=OuterRef(customer), created_at__gt=OuterRef(since), created_at__lte=until
    )
    returned = ReturnEvent.objects.filter(
        customer_id=OuterRef(customer), at__gt=OuterRef(since), at__lte=until
    )
    return Q(Exists(conversation)) | Q(Exists(returned))


def answers_between(since: datetime, until: datetime) -> QuerySet[Survey, Any]:
    """Answers with both an outcome and a conduct, answered in [since, until)."""
    return Survey.objects.filter(
        answered_at__gte=since, answered_at__lt=until, conduct__isnull=False
    ).exclude(outcome="")


def quadrant_of() -> Case:
    """The quadrant key of an answer, as an SQL expression."""
    met = Q(outcome=Survey.Outcome.YES)
    good = Q(conduct__gte=4)
    return Case(
        When(met & good, then=Value("met-good")),
        When(met, then=Value("met-poor")),
        When(good, then=Value("unmet-good")),
        default=Value("unmet-poor"),
    )


def outcome_conduct_grid(
    *,
    since: datetime,
    until: datetime,
    team_id: int | None = None,
    now: datetime | None = None,
    answers: QuerySet[Survey, Any] | None = None,
) -> list[Quadrant]:
    """`answers` narrows the period's answers (e.g. without the teams hidden from the reader)."""
    return grouped_grid(since=since, until=until, team_id=team_id, now=now, answers=answers, summarised=True)[
        0
    ]


def grouped_grid(
    *,
    since: datetime,
    until: datetime,
    team_id: int | None = None,
    now: datetime | None = None,
    answers: QuerySet[Survey, Any] | None = None,
    summarised: bool = False,
    by: dict[str, Any] | None = None,
) -> tuple[list[Quadrant], list[dict[str, Any]]]:
    """The four quadrants, and the grouped rows they were summed from.

    `answers` narrows the rows further (insights filters), else all in the period. `summarised`
    reads "came back" from `Survey.came_back_after` (returns.py) instead of searching each
    customer's later conversations and returns: the same rule, kept up to date by a subscriber.
    `by` adds grouping expressions (e.g. the local day) so one pass also gives a trend.
    """
    now = now or timezone.now()
    if answers is None:
        answers = answers_between(since, until)
    if team_id is not None:
        answers = answers.filter(team_id=team_id)
    aggregates: dict[str, Count] = {"answers": Count("pk")}
    annotations: dict[str, Any] = {"cell": quadrant_of(), **(by or {})}
    for days in WINDOWS:
        if summarised:
            back = Q(came_back_after__lte=timedelta(days=days))
        else:
            annotations[f"back_{days}"] = ExpressionWrapper(came_back(days), output_field=BooleanField())
            back = Q(**{f"back_{days}": True})
        old_enough = Q(answered_at__lte=now - timedelta(days=days))
        aggregates[f"eligible_{days}"] = Count("pk", filter=old_enough)
        aggregates[f"returned_{days}"] = Count("pk", filter=old_enough & back)
    grouped = answers.annotate(**annotations).values("cell", *(by or {})).annotate(**aggregates).order_by()
    rows = list(grouped)
    sums: dict[str, dict[str, int]] = {}
    for row in rows:
        cell = sums.setdefault(row["cell"], {})
        for name in aggregates:
            cell[name] = cell.get(name, 0) + row[name]
    grid = []
    for key, label in QUADRANTS:
        total = sums.get(key, {})
        rates = [
            Rate(days, total.get(f"eligible_{days}", 0), total.get(f"returned_{days}", 0)) for days in WINDOWS
        ]
        grid.append(Quadrant(key, label, total.get("answers", 0), rates))
    return grid, rows
