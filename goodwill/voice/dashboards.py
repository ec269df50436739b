"""Insights from the customer's voice: the outcome × conduct grid, and complaints with what changed.

"Outcome × conduct" checks the essays' claim on the team's own answers: a need not met but
handled well still keeps the customer. It reuses `grid.py` (return rates at 30 and 90 days with
95% Wilson intervals) and adds the answers over time. "Complaints and improvements" follows
complaints from marking to the improvement they led to and the customers told when it shipped.
Both group on the database (a handful of queries, none per row).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from goodwill.conversations.models import ContactReason
from goodwill.core.periods import Buckets, Unindexed, bounds, local_date, narrowed, percent, share
from goodwill.insights.registry import Chart, Dashboard, Figure, Filters, Result, Series, Table
from goodwill.voice.grid import QUADRANTS, answers_between, grouped_grid
from goodwill.voice.models import Complaint, Improvement, Survey

ALL_FILTERS = frozenset({"team", "agent", "channel", "organisation", "need"})


def answers(filters: Filters) -> QuerySet[Survey, Any]:
    """Answers (outcome and conduct) in the period matching the filters; team and agent are who served."""
    rows = answers_between(*bounds(filters.start, filters.end))
    if filters.team_id is not None:
        rows = rows.filter(team_id=filters.team_id)
    if filters.agent_id is not None:
        rows = rows.filter(agent_id=filters.agent_id)
    return _by_conversation(rows, filters)


def _by_conversation(rows: QuerySet[Any, Any], filters: Filters) -> QuerySet[Any, Any]:
    return narrowed(
        rows,
        conversation__channel=filters.channel,
        customer__organisation_id=filters.organisation_id,
        conversation__need_id=filters.need_id,
    )


def _interval(rate: Any) -> str:
    interval = rate.interval
    return "–" if interval is None else f"{interval[0]:.0%}–{interval[1]:.0%}"


def outcome_conduct(filters: Filters) -> Result:
    since, until = bounds(filters.start, filters.end)
    rows = answers(filters)
    day = local_date("answered_at", since, until)
    grid, grouped = grouped_grid(since=since, until=until, answers=rows, summarised=True, by={"day": day})
    total = sum(quadrant.answers for quadrant in grid)
    met = sum(q.answers for q in grid if q.key.startswith("met-"))
    good = sum(q.answers for q in grid if q.key.endswith("-good"))
    buckets = Buckets.for_range(filters.start, filters.end)
    per_day: dict[str, list[tuple[Any, int]]] = defaultdict(list)
    for row in grouped:
        per_day[row["cell"]].append((row["day"], row["answers"]))
    table_rows = []
    for quadrant in grid:
        thirty, ninety = quadrant.rates
        table_rows.append(
            [
                quadrant.label,
                quadrant.answers,
                percent(quadrant.answers, total),
                percent(thirty.returned, thirty.eligible),
                _interval(thirty),
                thirty.eligible,
                percent(ninety.returned, ninety.eligible),
                _interval(ninety),
                ninety.eligible,
            ]
        )
    notes = [
        "A customer came back when they opened a new conversation, or a return (a purchase, a renewal) was "
        "posted through the API, within 30 or 90 days of answering. Only answers at least that old count "
        "towards each rate; intervals are 95% Wilson intervals."
    ]
    if not total:
        notes.insert(0, "No data yet: no feedback answered in this period with these filters.")
    return Result(
        figures=[
            Figure("Answers", total, f"{total:,}", "with both an outcome and a conduct rating"),
            Figure("Need met", share(met, total), percent(met, total), f"{met} of {total} said yes"),
            Figure(
                "Treated well", share(good, total), percent(good, total), f"{good} of {total} rated 4 or 5"
            ),
        ],
        charts=[
            Chart(
                "return-rates",
                "Came back, by quadrant",
                [q.label for q in grid],
                [
                    Series(f"within {rate.days} days", [_pct(q.rates[i].share) for q in grid])
                    for i, rate in enumerate(grid[0].rates)
                ],
                kind="bar",
                unit="%",
                note="If conduct matters as the essays say, \u201cnot met, treated well\u201d keeps more customers "
                "than \u201cmet, treated poorly\u201d.",
            ),
            Chart(
                "answers-over-time",
                "Answers over time",
                buckets.labels,
                [Series(label, buckets.spread(per_day[key])) for key, label in QUADRANTS],
                kind="stacked",
                note=f"Answers per {buckets.unit}, by quadrant.",
            ),
        ],
        tables=[
            Table(
                "quadrants",
                "Outcome × conduct",
                (
                    "Quadrant",
                    "Answers",
                    "Share",
                    "Back in 30 days",
                    "95% interval",
                    "Old enough (30)",
                    "Back in 90 days",
                    "95% interval",
                    "Old enough (90)",
                ),
                table_rows,
            )
        ],
        notes=notes,
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def complaints(filters: Filters) -> QuerySet[Complaint, Any]:
    """Complaints marked in the period matching the filters (team and agent: the conversation's)."""
    since, until = bounds(filters.start, filters.end)
    return _complaints_matching(Complaint.objects.filter(marked_at__gte=since, marked_at__lt=until), filters)


def _complaints_matching(rows: QuerySet[Complaint, Any], filters: Filters) -> QuerySet[Complaint, Any]:
    rows = narrowed(rows, conversation__team_id=filters.team_id, conversation__assignee_id=filters.agent_id)
    return _by_conversation(rows, filters)


def _narrowed(filters: Filters) -> bool:
    return any((filters.team_id, filters.agent_id, filters.channel, filters.organisation_id, filters.need_id))


def complaints_and_improvements(filters: Filters) -> Result:
    since, until = bounds(filters.start, filters.end)
    rows = complaints(filters)
    told_q = Q(notified_at__isnull=False)
    buckets = Buckets.for_range(filters.start, filters.end)
    # One grouped pass over the period's complaints (and, with a filter or for the need, their
    # conversations): the day, need, improvement figures below are folded from it in Python.
    # Three separate queries each joined the conversations again (PostgreSQL hash-joins them:
    # a scan of every conversation per query).
    groups = list(
        rows.annotate(day=local_date("marked_at", since, until), need=Unindexed("conversation__need_id"))
        .values("day", "need", "improvement_id", "improvement__status")
        .annotate(n=Count("pk"), told=Count("pk", filter=told_q))
        .order_by()
    )
    days: dict[Any, int] = {}
    needs_seen: dict[Any, dict[str, Any]] = {}
    by_status: dict[str, dict[str, Any]] = {}
    for row in groups:
        days[row["day"]] = days.get(row["day"], 0) + row["n"]
        need = needs_seen.setdefault(row["need"], {"need": row["need"], "n": 0, "linked": 0})
        need["n"] += row["n"]
        if row["improvement_id"] is None:
            continue
        need["linked"] += row["n"]
        status = by_status.setdefault(row["improvement__status"], {"n": 0, "told": 0, "ids": set()})
        status["n"] += row["n"]
        status["told"] += row["told"]
        status["ids"].add(row["improvement_id"])
    for status in by_status.values():
        status["improvements"] = len(status.pop("ids"))
    per_day = [{"day": day, "n": n} for day, n in days.items()]
    by_need = list(needs_seen.values())
    total = sum(days.values())
    linked = sum(row["linked"] for row in by_need)
    shipped = Improvement.objects.filter(shipped_at__gte=since, shipped_at__lt=until)
    told = Complaint.objects.filter(notified_at__gte=since, notified_at__lt=until)
    if _narrowed(filters):
        raised = _complaints_matching(Complaint.objects.filter(improvement_id=OuterRef("pk")), filters)
        shipped = shipped.filter(Exists(raised))
        told = _complaints_matching(told, filters)
    shipped_count, told_count = shipped.count(), told.count()
    needs = ContactReason.objects.select_related("parent").filter(pk__in=[r["need"] for r in by_need])
    reasons = {reason.pk: str(reason) for reason in needs}
    need_rows = [
        [
            reasons.get(row["need"], "No need recorded"),
            row["n"],
            row["linked"],
            percent(row["linked"], row["n"]),
        ]
        for row in sorted(by_need, key=lambda r: (-r["n"], reasons.get(r["need"], "")))
    ]
    status_rows = [
        [
            label,
            by_status.get(value, {}).get("improvements", 0),
            by_status.get(value, {}).get("n", 0),
            by_status.get(value, {}).get("told", 0),
        ]
        for value, label in Improvement.Status.choices
    ]
    notes = [] if total else ["No data yet: no complaint was marked in this period with these filters."]
    return Result(
        figures=[
            Figure("Complaints", total, f"{total:,}", "marked in the period"),
            Figure(
                "Linked to an improvement",
                share(linked, total),
                percent(linked, total),
                f"{linked} of {total}",
            ),
            Figure("Improvements shipped", shipped_count, f"{shipped_count:,}", "shipped in the period"),
            Figure(
                "Customers told",
                told_count,
                f"{told_count:,}",
                "told in the period that their improvement shipped",
            ),
        ],
        charts=[
            Chart(
                "complaints-over-time",
                "Complaints over time",
                buckets.labels,
                [Series("Complaints", buckets.spread((row["day"], row["n"]) for row in per_day))],
                kind="bar",
                note=f"Complaints marked per {buckets.unit}.",
            ),
        ],
        tables=[
            Table(
                "complaints-by-need",
                "Complaints by need",
                ("Need", "Complaints", "Linked", "Share linked"),
                need_rows,
                note="" if need_rows else "No complaints in this period.",
            ),
            Table(
                "improvements-by-status",
                "Improvements by status",
                ("Status", "Improvements", "Complaints linked", "Customers told"),
                status_rows,
                note="Improvements linked to the complaints of this period.",
            ),
        ],
        notes=notes,
    )


OUTCOME_CONDUCT = Dashboard(
    slug="outcome-conduct",
    title="Outcome × conduct",
    question="Does good conduct keep customers even when their need was not met?",
    build=outcome_conduct,
    order=40,
    filters=ALL_FILTERS,
)
COMPLAINTS = Dashboard(
    slug="complaints",
    title="Complaints and improvements",
    question="What do customers complain about, and do their complaints change anything they hear about?",
    build=complaints_and_improvements,
    order=45,
    filters=ALL_FILTERS,
)
