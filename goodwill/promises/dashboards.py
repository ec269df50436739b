"""Insights: "Promise keeping" — do we keep our word, early, on time, late or not at all?

Counts promises closed in the period by how they ended (as the ledger page does), by agent
(the promise's owner) and by team (its conversation's, copied onto the promise and kept when the
conversation moves), with the trend over the period, plus the promises still open past their due
time now. Cancelled promises are neither kept nor broken: they are counted apart. The period's
query reads only the covering index `promise_closed_team` unless a channel, organisation or need
filter needs the conversation or customer; nothing per row.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.core.periods import Buckets, bounds, local_date, narrowed, percent, share
from goodwill.insights.registry import Chart, Dashboard, Figure, Filters, Result, Series, Table
from goodwill.promises.models import Promise

Outcome = Promise.Outcome
KEPT = (Outcome.KEPT_EARLY, Outcome.KEPT_ON_TIME)
COUNTED = (Outcome.KEPT_EARLY, Outcome.KEPT_ON_TIME, Outcome.LATE, Outcome.BROKEN)
COLUMNS = ("Closed", "Kept early", "Kept on time", "Kept late", "Broken", "Kept by the due time")


def _filtered(rows: QuerySet[Promise, Any], filters: Filters) -> QuerySet[Promise, Any]:
    if filters.agent_id is not None:
        rows = rows.filter(owner_id=filters.agent_id)
    if filters.team_id is not None:
        rows = rows.filter(team_id=filters.team_id)
    return narrowed(
        rows,
        conversation__channel=filters.channel,
        customer__organisation_id=filters.organisation_id,
        conversation__need_id=filters.need_id,
    )


def closed_promises(filters: Filters) -> QuerySet[Promise, Any]:
    """Promises closed in the period and matching the filters (what every figure here counts)."""
    since, until = bounds(filters.start, filters.end)
    rows = Promise.objects.filter(state=Promise.State.CLOSED, closed_at__gte=since, closed_at__lt=until)
    return _filtered(rows, filters)


def _row(counts: dict[str, int]) -> list[object]:
    closed = sum(counts.get(outcome, 0) for outcome in COUNTED)
    kept = sum(counts.get(outcome, 0) for outcome in KEPT)
    return [closed, *(counts.get(outcome, 0) for outcome in COUNTED), percent(kept, closed)]


def _table(slug: str, title: str, who: str, table: dict[Any, dict[str, int]], names: dict[Any, str]) -> Table:
    ordered = sorted(
        table.items(), key=lambda item: (-sum(item[1].get(o, 0) for o in COUNTED), names.get(item[0], ""))
    )
    rows = [
        [names.get(key, "—"), *_row(counts)] for key, counts in ordered if any(counts.get(o) for o in COUNTED)
    ]
    return Table(
        slug, title, (who, *COLUMNS), rows, note="" if rows else "No promises closed in this period yet."
    )


def promise_keeping(filters: Filters) -> Result:
    since, until = bounds(filters.start, filters.end)
    closed = closed_promises(filters)
    buckets = Buckets.for_range(filters.start, filters.end)
    per_day: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    by_agent: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_team: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    # One pass over the period's promises: day × outcome × owner × team, folded here.
    grouped = closed.annotate(day=local_date("closed_at", since, until))
    for row in grouped.values("day", "outcome", "owner_id", "team_id").annotate(n=Count("pk")).order_by():
        outcome, n = row["outcome"], row["n"]
        per_day[outcome].append((row["day"], n))
        totals[outcome] += n
        by_agent[row["owner_id"]][outcome] += n
        by_team[row["team_id"]][outcome] += n
    overdue = _filtered(
        Promise.objects.filter(state=Promise.State.OPEN, due_at__lt=timezone.now()), filters
    ).count()
    counted = sum(totals[outcome] for outcome in COUNTED)
    kept = sum(totals[outcome] for outcome in KEPT)

    def figure(label: str, part: int, detail: str) -> Figure:
        return Figure(label, share(part, counted), percent(part, counted), f"{part} of {counted} {detail}")

    figures = [
        Figure("Promises closed", counted, f"{counted:,}", "kept, late or broken in the period"),
        figure("Kept by the due time", kept, "kept early or on time"),
        figure("Kept early", totals[Outcome.KEPT_EARLY], "under-promised, over-delivered"),
        figure("Kept late", totals[Outcome.LATE], "kept after the due time"),
        figure("Broken", totals[Outcome.BROKEN], "not kept"),
        Figure("Open past due now", overdue, f"{overdue:,}", "still open after their due time"),
    ]
    trend = Chart(
        "promise-outcomes",
        "How promises ended, over time",
        buckets.labels,
        [Series(Outcome(o).label, buckets.spread(per_day[o])) for o in COUNTED],
        kind="stacked",
        note=f"Promises closed per {buckets.unit}, by how they ended.",
    )
    agents: dict[Any, str] = {
        a.pk: a.display_name for a in Agent.objects.filter(pk__in=[k for k in by_agent if k])
    }
    agents[None] = "No owner"
    teams: dict[Any, str] = dict(
        Team.objects.filter(pk__in=[k for k in by_team if k]).values_list("pk", "name")
    )
    teams[None] = "No team"
    notes = []
    if not counted:
        notes.append("No data yet: no promise was closed in this period with these filters.")
    if totals[Outcome.CANCELLED]:
        notes.append(
            f"{totals[Outcome.CANCELLED]} cancelled promises are left out (neither kept nor broken)."
        )
    return Result(
        figures=figures,
        charts=[trend],
        tables=[
            _table("promises-by-agent", "By agent", "Agent", by_agent, agents),
            _table("promises-by-team", "By team", "Team", by_team, teams),
        ],
        notes=notes,
    )


PROMISE_KEEPING = Dashboard(
    slug="promises",
    title="Promise keeping",
    question="Do we keep our word — early, on time, late or not at all — by agent and team?",
    build=promise_keeping,
    order=30,
    filters=frozenset({"team", "agent", "channel", "organisation", "need"}),
)
