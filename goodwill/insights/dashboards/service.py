"""First response and resolution times, against the SLA targets (expectations' clocks)."""

from __future__ import annotations

from goodwill.insights.dashboards import names
from goodwill.insights.dashboards.common import (
    FRESHNESS,
    buckets,
    by_bucket,
    daily,
    duration,
    hours,
    label,
    mean,
    percent,
    ratio,
    sums,
)  # fmt: skip
from goodwill.insights.registry import Chart, Figure, Filters, Result, Series, Table

MEASURES = (
    "opened", "first_response_seconds", "first_responses", "resolution_seconds", "resolutions",
    "first_response_met", "first_response_breached", "resolution_met", "resolution_breached",
)  # fmt: skip


def build(filters: Filters) -> Result:
    rows = daily(filters)
    t = sums(rows, measures=MEASURES)[0]
    fr_met = ratio(t["first_response_met"], t["first_response_met"] + t["first_response_breached"])
    res_met = ratio(t["resolution_met"], t["resolution_met"] + t["resolution_breached"])
    fr_mean = mean(t["first_response_seconds"], t["first_responses"])
    res_mean = mean(t["resolution_seconds"], t["resolutions"])
    figures = [
        Figure("Mean first response", fr_mean, duration(fr_mean), f"{t['first_responses']:,} conversations answered"),
        Figure("First response within SLA", fr_met, percent(fr_met),
               f"{t['first_response_met']:,} met, {t['first_response_breached']:,} breached"),
        Figure("Mean resolution", res_mean, duration(res_mean), f"{t['resolutions']:,} conversations solved"),
        Figure("Resolution within SLA", res_met, percent(res_met),
               f"{t['resolution_met']:,} met, {t['resolution_breached']:,} breached"),
    ]  # fmt: skip
    days = buckets(filters)
    x_labels = [label(day, filters) for day in days]
    per_day = sums(rows, "day", measures=MEASURES)

    def line(measure: str) -> list[float | int | None]:
        totals = by_bucket(filters, per_day, measure)
        return [totals.get(day, 0) for day in days]

    def means(total: str, count: str) -> list[float | int | None]:
        sums_, counts = by_bucket(filters, per_day, total), by_bucket(filters, per_day, count)
        return [hours(mean(sums_.get(day, 0), counts.get(day, 0))) for day in days]

    charts = [
        Chart("sla-first-response", "First responses against the SLA", x_labels,
              [Series("Met", line("first_response_met")), Series("Breached", line("first_response_breached"))],
              kind="stacked", note="Counted on the day the conversation was opened."),
        Chart("sla-resolution", "Resolutions against the SLA", x_labels,
              [Series("Met", line("resolution_met")), Series("Breached", line("resolution_breached"))],
              kind="stacked", note="Counted on the day the conversation was opened."),
        Chart("times", "Mean time to first response and to resolution", x_labels,
              [Series("First response", means("first_response_seconds", "first_responses")),
               Series("Resolution", means("resolution_seconds", "resolutions"))],
              unit="h", note="Wall-clock hours; a gap is a day with nothing to measure."),
    ]  # fmt: skip
    by_team = sums(rows, "team_id", measures=MEASURES)
    team_names = names.teams(row["team_id"] for row in by_team)
    table = Table(
        "by-team", "By team",
        ["Team", "Opened", "Mean first response", "First response SLA met", "Mean resolution", "Resolution SLA met"],
        [
            [team_names.get(r["team_id"], "?"), r["opened"],
             duration(mean(r["first_response_seconds"], r["first_responses"])),
             percent(ratio(r["first_response_met"], r["first_response_met"] + r["first_response_breached"])),
             duration(mean(r["resolution_seconds"], r["resolutions"])),
             percent(ratio(r["resolution_met"], r["resolution_met"] + r["resolution_breached"]))]
            for r in by_team
        ],
    )  # fmt: skip
    notes = [
        "First response: from opening to the first reply; resolution: from opening to solved (wall clock). "
        "SLA outcomes are the clocks' own verdicts, in business hours.",
        FRESHNESS,
    ]
    return Result(figures=figures, charts=charts, tables=[table], notes=notes)
