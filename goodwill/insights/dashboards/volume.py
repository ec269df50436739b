"""Volume by channel and need, with trends, and the needs that suddenly grow."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from goodwill.insights.dashboards import names
from goodwill.insights.dashboards.common import FRESHNESS, buckets, by_bucket, daily, label, sums
from goodwill.insights.registry import Chart, Figure, Filters, Result, Series, Table

RECENT_DAYS = 7  # the period a spike is looked for in: the last week of the range
BASELINE_WEEKS = 4  # compared with the average week of the four before it
SPIKE_FACTOR = 2.0  # at least twice the usual…
SPIKE_MINIMUM = 5  # …and at least five more conversations, so one extra email is no spike
TOP_NEEDS = 5


def build(filters: Filters) -> Result:
    """Three grouped queries on `DailyFigures` (per day × channel; per day × need over the range and
    the spike window before its last week) and one for the needs' names, whatever the range."""
    rows = daily(filters)
    by_channel = sums(rows, "day", "channel", measures=("opened", "solved", "inbound"))
    total = {m: sum(row[m] for row in by_channel) for m in ("opened", "solved", "inbound")}
    figures = [
        Figure("Conversations opened", total["opened"], f"{total['opened']:,}"),
        Figure("Conversations solved", total["solved"], f"{total['solved']:,}"),
        Figure("Customer messages", total["inbound"], f"{total['inbound']:,}"),
    ]
    days = buckets(filters)
    x_labels = [label(day, filters) for day in days]
    by_channel = [row for row in by_channel if row["opened"] > 0]
    channels = sorted({row["channel"] for row in by_channel})
    channel_series = [
        Series(
            names.channel(ch),
            _values(days, by_bucket(filters, [r for r in by_channel if r["channel"] == ch], "opened")),
        )
        for ch in channels
    ]
    recent_start = filters.end - timedelta(days=RECENT_DAYS - 1)
    base_start = recent_start - timedelta(weeks=BASELINE_WEEKS)
    by_need_all = _opened_by_day_and_need(filters, min(filters.start, base_start))
    by_need = [row for row in by_need_all if row["day"] >= filters.start]
    need_totals: dict[int, int] = {}
    for row in by_need:
        need_totals[row["need_id"]] = need_totals.get(row["need_id"], 0) + row["opened"]
    top = sorted(need_totals, key=lambda pk: (-need_totals[pk], pk))[:TOP_NEEDS]
    need_names = names.needs({row["need_id"] for row in by_need_all})
    need_series = [
        Series(
            need_names[pk],
            _values(days, by_bucket(filters, [r for r in by_need if r["need_id"] == pk], "opened")),
        )
        for pk in top
    ]
    spikes, notes = spike_table(filters, [row for row in by_need_all if row["day"] >= base_start], need_names)
    charts = [
        Chart(
            "opened-by-channel", "Conversations opened, by channel", x_labels, channel_series, kind="stacked"
        ),
        Chart("opened-by-need", f"Conversations opened, the {len(top)} biggest needs", x_labels, need_series),
    ]
    return Result(figures=figures, charts=charts, tables=[spikes], notes=[*notes, FRESHNESS])


def _opened_by_day_and_need(filters: Filters, start: date) -> list[dict[str, Any]]:
    return sums(daily(filters, start=start).filter(opened__gt=0), "day", "need_id", measures=("opened",))


def _values(days: list, totals: dict) -> list[float | int | None]:
    return [totals.get(day, 0) for day in days]


def spike_table(
    filters: Filters, rows: list[dict[str, Any]] | None = None, need_names: dict[int, str] | None = None
) -> tuple[Table, list[str]]:
    """Each need's last week against its average week before: a need that suddenly grows, in words.
    `rows` (opened per day and need over the five weeks to the end) and `need_names` when the caller
    has them already; else they are read."""
    recent_start = filters.end - timedelta(days=RECENT_DAYS - 1)
    base_start = recent_start - timedelta(weeks=BASELINE_WEEKS)
    if rows is None:
        rows = _opened_by_day_and_need(filters, base_start)
    recent: dict[int, int] = {}
    base: dict[int, int] = {}
    for row in rows:
        bucket = recent if row["day"] >= recent_start else base
        bucket[row["need_id"]] = bucket.get(row["need_id"], 0) + row["opened"]
    if need_names is None:
        need_names = names.needs(recent.keys() | base.keys())
    table_rows: list[list[object]] = []
    notes: list[str] = []
    for pk in sorted(recent.keys() | base.keys(), key=lambda pk: (-recent.get(pk, 0), pk)):
        now, usual = recent.get(pk, 0), base.get(pk, 0) / BASELINE_WEEKS
        spike = now >= SPIKE_MINIMUM + usual and now >= SPIKE_FACTOR * usual
        table_rows.append([need_names[pk], now, round(usual, 1), "spike" if spike else ""])
        if spike:
            times = f"{now / usual:.1f} times" if usual else "from almost nothing to"
            notes.append(
                f"Spike: {need_names[pk]} — {now} conversations in the week to {filters.end:%d %b}, "
                f"{times} its usual {usual:.1f} a week."
            )
    if not notes:
        notes.append(f"No need grew suddenly in the week to {filters.end:%d %b}.")
    table = Table(
        "spikes",
        "Needs this week against their usual week",
        ["Need", f"Last {RECENT_DAYS} days", f"Average week, {BASELINE_WEEKS} weeks before", "Flag"],
        table_rows,
        note=f"A spike is at least {SPIKE_FACTOR:g} times the usual week and {SPIKE_MINIMUM} conversations more.",
    )
    return table, notes
