"""What every dashboard built on `DailyFigures` shares: filtering, buckets, sums, wording."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet, Sum

from goodwill.insights.models import (
    MEASURES,
    DailyAgentFigures,
    DailyFigures,
    DailyOrganisationFigures,
    Figures,
)
from goodwill.insights.registry import Filters

FRESHNESS = "Figures are summaries kept by the worker, at most a minute behind the conversations."
WEEKLY_AFTER_DAYS = 92  # longer ranges are drawn per week, so a chart keeps readable bars


def daily(
    filters: Filters, *, start: date | None = None, end: date | None = None, by_agent: bool = False
) -> QuerySet[Any]:
    """The daily rows the filters select (dates inclusive), from the smallest table that has them."""
    model: type[Figures] = DailyFigures
    if filters.organisation_id:
        model = DailyOrganisationFigures
    elif filters.agent_id or by_agent:
        model = DailyAgentFigures
    rows = model.objects.filter(day__gte=start or filters.start, day__lte=end or filters.end)  # type: ignore[attr-defined]
    if filters.team_id:
        rows = rows.filter(team_id=filters.team_id)
    if filters.agent_id:
        rows = rows.filter(agent_id=filters.agent_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.organisation_id:
        rows = rows.filter(organisation_id=filters.organisation_id)
    if filters.need_id:
        rows = rows.filter(need_id=filters.need_id)
    return rows


def sums(rows: QuerySet[Any], *group: str, measures: Iterable[str] = MEASURES) -> list[dict[str, Any]]:
    """SUM of each measure over `rows`, grouped by `group` (no group: one row)."""
    wanted = {name: Sum(name) for name in measures}
    if not group:
        total = rows.aggregate(**wanted)
        return [{name: total[name] or 0 for name in wanted}]
    result = rows.values(*group).annotate(**wanted).order_by(*group)
    return [{**row, **{name: row[name] or 0 for name in wanted}} for row in result]


def buckets(filters: Filters) -> list[date]:
    """The first day of each bucket in the range: days, or weeks (Mondays) for long ranges."""
    if (filters.end - filters.start).days < WEEKLY_AFTER_DAYS:
        return [filters.start + timedelta(days=i) for i in range((filters.end - filters.start).days + 1)]
    first = filters.start - timedelta(days=filters.start.weekday())
    return [first + timedelta(weeks=i) for i in range((filters.end - first).days // 7 + 1)]


def bucket_of(day: date, filters: Filters) -> date:
    if (filters.end - filters.start).days < WEEKLY_AFTER_DAYS:
        return day
    return day - timedelta(days=day.weekday())


def label(day: date, filters: Filters) -> str:
    weekly = (filters.end - filters.start).days >= WEEKLY_AFTER_DAYS
    return f"w/c {day.isoformat()}" if weekly else day.isoformat()


def by_bucket(filters: Filters, rows: list[dict[str, Any]], measure: str) -> dict[date, float]:
    """Add a measure of daily rows (grouped by "day", maybe more) into the chart's buckets."""
    totals: dict[date, float] = {}
    for row in rows:
        key = bucket_of(row["day"], filters)
        totals[key] = totals.get(key, 0) + row[measure]
    return totals


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def duration(seconds: float | None) -> str:
    """Wall-clock time in words a lead reads at a glance: 45 min, 3.2 h, 2.1 days."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def mean(total: float, count: float) -> float | None:
    return total / count if count else None
