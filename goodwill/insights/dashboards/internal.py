"""Internal versus external service: colleagues asking colleagues, against customers."""

from __future__ import annotations

from goodwill.insights.dashboards.common import (
    FRESHNESS,
    buckets,
    by_bucket,
    daily,
    duration,
    label,
    mean,
    percent,
    ratio,
    sums,
)  # fmt: skip
from goodwill.insights.registry import Chart, Figure, Filters, Result, Series, Table

MEASURES = (
    "opened", "solved", "first_response_seconds", "first_responses", "resolution_seconds", "resolutions",
    "first_response_met", "first_response_breached", "resolution_met", "resolution_breached",
    "mood_sum", "mood_scored",
)  # fmt: skip
SIDES = ((False, "External customers"), (True, "Internal colleagues"))


def build(filters: Filters) -> Result:
    rows = daily(filters)
    by_side = {row["internal"]: row for row in sums(rows, "internal", measures=MEASURES)}
    empty = dict.fromkeys(MEASURES, 0)
    figures = []
    table_rows: list[list[object]] = []
    for internal, name in SIDES:
        r = by_side.get(internal, empty)
        fr = mean(r["first_response_seconds"], r["first_responses"])
        met = ratio(
            r["first_response_met"] + r["resolution_met"],
            r["first_response_met"]
            + r["resolution_met"]
            + r["first_response_breached"]
            + r["resolution_breached"],
        )
        figures.append(Figure(f"{name}: conversations", r["opened"], f"{r['opened']:,}"))
        figures.append(Figure(f"{name}: mean first response", fr, duration(fr)))
        mood = mean(r["mood_sum"], r["mood_scored"])
        table_rows.append([
            name, r["opened"], r["solved"], duration(fr), duration(mean(r["resolution_seconds"], r["resolutions"])),
            percent(met), "–" if mood is None else f"{mood:+.2f}",
        ])  # fmt: skip
    days = buckets(filters)
    per_day = sums(rows, "day", "internal", measures=("opened",))
    series = [
        Series(
            name,
            [
                by_bucket(filters, [r for r in per_day if r["internal"] == side], "opened").get(d, 0)
                for d in days
            ],
        )
        for side, name in SIDES
    ]
    chart = Chart("opened", "Conversations opened, internal and external", [label(d, filters) for d in days], series,
                  kind="stacked")  # fmt: skip
    table = Table(
        "sides", "Internal and external service side by side",
        ["Who asked", "Opened", "Solved", "Mean first response", "Mean resolution", "SLA met", "Average mood"],
        table_rows, note="Internal colleagues are customers marked internal; SLA met counts both clocks.",
    )  # fmt: skip
    return Result(figures=figures, charts=[chart], tables=[table], notes=[FRESHNESS])
