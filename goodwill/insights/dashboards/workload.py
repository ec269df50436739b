"""Agent workload: what each agent holds open now, and replied to and solved in the range."""

from __future__ import annotations

from django.db.models import Count

from goodwill.insights.dashboards import names
from goodwill.insights.dashboards.common import FRESHNESS, daily, sums
from goodwill.insights.models import OpenWork
from goodwill.insights.registry import Chart, Figure, Filters, Result, Series, Table

MEASURES = ("opened", "replies", "solved")
CHART_AGENTS = 20


def open_now(filters: Filters) -> dict[int, int]:
    """Open conversations assigned to each agent now: a count of `OpenWork`, the table of the open
    conversations the refresh keeps (one row each), so it never reads the conversations' history."""
    rows = OpenWork.objects.exclude(agent_id=0)
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
    return dict(rows.values_list("agent_id").annotate(n=Count("pk")).order_by())


def build(filters: Filters) -> Result:
    per_agent = {
        row["agent_id"]: row for row in sums(daily(filters, by_agent=True), "agent_id", measures=MEASURES)
    }
    holding = open_now(filters)
    ids = sorted((per_agent.keys() | holding.keys()) - {0})
    agent_names = names.agents(ids)
    table_rows = [
        [agent_names.get(pk, f"Agent {pk}"), holding.get(pk, 0), per_agent.get(pk, {}).get("opened", 0),
         per_agent.get(pk, {}).get("replies", 0), per_agent.get(pk, {}).get("solved", 0)]
        for pk in ids
    ]  # fmt: skip
    table_rows.sort(key=lambda row: (-int(row[1]), -int(row[3]), str(row[0])))  # type: ignore[call-overload]
    top = table_rows[:CHART_AGENTS]
    chart = Chart(
        "per-agent", "Replies and solved conversations per agent", [str(r[0]) for r in top],
        [Series("Replies", [int(r[3]) for r in top]), Series("Solved", [int(r[4]) for r in top])],  # type: ignore[call-overload]
        kind="bar", note=f"The {len(top)} agents holding the most open conversations.",
    )  # fmt: skip
    unassigned = per_agent.get(0, {})
    figures = [
        Figure("Open and assigned now", sum(holding.values()), f"{sum(holding.values()):,}"),
        Figure("Replies sent", sum(int(r[3]) for r in table_rows), f"{sum(int(r[3]) for r in table_rows):,}"),  # type: ignore[call-overload]
        Figure("Solved", sum(int(r[4]) for r in table_rows), f"{sum(int(r[4]) for r in table_rows):,}",  # type: ignore[call-overload]
               f"and {unassigned.get('solved', 0):,} solved without an assignee"),
    ]  # fmt: skip
    table = Table(
        "agents", "Per agent", ["Agent", "Open now", "Opened (assigned)", "Replies", "Solved (assigned)"], table_rows,
        note="Replies count under the agent who wrote them; opened and solved under the current assignee.",
    )  # fmt: skip
    notes = [
        "“Open now” is as of the latest change (kept right after each one); the other columns cover the date range.",
        FRESHNESS,
    ]
    return Result(figures=figures, charts=[chart], tables=[table], notes=notes)
