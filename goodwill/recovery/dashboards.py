"""Insights: "Service recovery" — when we fail a customer, do we make it right, and how fast?

Open cases now; cases opened in the period by trigger over time; the recovery rate (cases
recovered / cases closed in the period with a result) with its count and 95% Wilson interval,
overall, by trigger and by team; the median time from opening to closing. Team is the case's,
agent its owner; channel, organisation and need come from its conversation and customer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.core.periods import (
    Buckets,
    bounds,
    duration_text,
    local_date,
    median_seconds,
    narrowed,
    percent,
    share,
)
from goodwill.insights.registry import Chart, Dashboard, Figure, Filters, Result, Series, Table
from goodwill.recovery.models import RecoveryCase
from goodwill.voice.grid import wilson

Case = RecoveryCase
WITH_RESULT = ~Q(result="")
RECOVERED = Q(result=RecoveryCase.Result.RECOVERED)
COLUMNS = ("Opened", "Closed with a result", "Recovered", "Recovery rate", "95% interval")


def _matching(rows: QuerySet[RecoveryCase, Any], filters: Filters) -> QuerySet[RecoveryCase, Any]:
    if filters.team_id is not None:
        rows = rows.filter(team_id=filters.team_id)
    if filters.agent_id is not None:
        rows = rows.filter(owner_id=filters.agent_id)
    return narrowed(
        rows,
        conversation__channel=filters.channel,
        customer__organisation_id=filters.organisation_id,
        conversation__need_id=filters.need_id,
    )


def opened_cases(filters: Filters) -> QuerySet[RecoveryCase, Any]:
    since, until = bounds(filters.start, filters.end)
    return _matching(Case.objects.filter(opened_at__gte=since, opened_at__lt=until), filters)


def closed_cases(filters: Filters) -> QuerySet[RecoveryCase, Any]:
    since, until = bounds(filters.start, filters.end)
    return _matching(
        Case.objects.filter(status=Case.Status.CLOSED, closed_at__gte=since, closed_at__lt=until), filters
    )


def _interval(recovered: int, total: int) -> str:
    interval = wilson(recovered, total)
    return "–" if interval is None else f"{interval[0]:.0%}–{interval[1]:.0%}"


def _rows(
    opened: dict[Any, int], closed: dict[Any, dict[str, int]], names: dict[Any, str]
) -> list[list[object]]:
    keys = sorted(set(opened) | set(closed), key=lambda k: (-opened.get(k, 0), names.get(k, "")))
    rows = []
    for key in keys:
        done, recovered = closed.get(key, {}).get("done", 0), closed.get(key, {}).get("recovered", 0)
        rows.append(
            [
                names.get(key, "—"),
                opened.get(key, 0),
                done,
                recovered,
                percent(recovered, done),
                _interval(recovered, done),
            ]
        )
    return rows


def _closed_by(rows: QuerySet[RecoveryCase, Any], key: str) -> dict[Any, dict[str, int]]:
    grouped = rows.values(key).annotate(
        n=Count("pk"), done=Count("pk", filter=WITH_RESULT), recovered=Count("pk", filter=RECOVERED)
    )
    return {row[key]: row for row in grouped.order_by()}


def service_recovery(filters: Filters) -> Result:
    since, until = bounds(filters.start, filters.end)
    buckets = Buckets.for_range(filters.start, filters.end)
    opened, closed = opened_cases(filters), closed_cases(filters)
    per_day: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    opened_by_trigger: dict[Any, int] = defaultdict(int)
    for row in (
        opened.annotate(day=local_date("opened_at", since, until))
        .values("day", "trigger")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        per_day[row["trigger"]].append((row["day"], row["n"]))
        opened_by_trigger[row["trigger"]] += row["n"]
    opened_by_team = {
        row["team_id"]: row["n"] for row in opened.values("team_id").annotate(n=Count("pk")).order_by()
    }
    closed_by_trigger = _closed_by(closed, "trigger")
    closed_by_team = _closed_by(closed, "team_id")
    done = sum(row["done"] for row in closed_by_trigger.values())
    recovered = sum(row["recovered"] for row in closed_by_trigger.values())
    closed_count = sum(row["n"] for row in closed_by_trigger.values())
    median = median_seconds(closed, "closed_at", "opened_at", closed_count)
    now_open = _matching(Case.objects.filter(status=Case.Status.OPEN), filters).aggregate(
        n=Count("pk"), late=Count("pk", filter=Q(due_at__lt=timezone.now()))
    )
    total_opened = sum(opened_by_trigger.values())
    interval = _interval(recovered, done)
    triggers = dict(Case.Trigger.choices)
    teams: dict[Any, str] = dict(
        Team.objects.filter(pk__in=[k for k in {*opened_by_team, *closed_by_team} if k]).values_list(
            "pk", "name"
        )
    )
    teams[None] = "No team"
    notes = []
    if not total_opened and not closed_count:
        notes.append("No data yet: no recovery case was opened or closed in this period with these filters.")
    notes.append(
        "Recovery rate = cases recovered / cases closed in the period with a result (recovered, not "
        "recovered or no response); the interval is a 95% Wilson interval."
    )
    shown = [value for value, _label in Case.Trigger.choices if opened_by_trigger.get(value)] or [
        Case.Trigger.MANUAL
    ]
    return Result(
        figures=[
            Figure(
                "Open cases", now_open["n"], f"{now_open['n']:,}", f"{now_open['late']} past their due time"
            ),
            Figure("Opened", total_opened, f"{total_opened:,}", "in the period"),
            Figure(
                "Recovery rate",
                share(recovered, done),
                percent(recovered, done),
                f"{recovered} of {done} closed with a result; 95% interval {interval}",
            ),
            Figure(
                "Median time to close", median, duration_text(median), f"over {closed_count} cases closed"
            ),
        ],
        charts=[
            Chart(
                "cases-opened",
                "Cases opened, by trigger",
                buckets.labels,
                [Series(triggers[value], buckets.spread(per_day[value])) for value in shown],
                kind="stacked",
                note=f"Cases opened per {buckets.unit}; a spike names the failure behind it.",
            ),
        ],
        tables=[
            Table(
                "recovery-by-trigger",
                "By trigger",
                ("Trigger", *COLUMNS),
                _rows(opened_by_trigger, closed_by_trigger, triggers),
            ),
            Table(
                "recovery-by-team",
                "By team",
                ("Team", *COLUMNS),
                _rows(opened_by_team, closed_by_team, teams),
            ),
        ],
        notes=notes,
    )


SERVICE_RECOVERY = Dashboard(
    slug="recovery",
    title="Service recovery",
    question="When we fail a customer, do we make it right — how often, how fast, after which failures?",
    build=service_recovery,
    order=50,
    filters=frozenset({"team", "agent", "channel", "organisation", "need"}),
)
