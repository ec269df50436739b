"""The mood of inbound mail over time (listening's sentiment of each customer message)."""

from __future__ import annotations

from goodwill.insights.dashboards import names
from goodwill.insights.dashboards.common import (
    FRESHNESS,
    buckets,
    by_bucket,
    daily,
    label,
    mean,
    percent,
    ratio,
    sums,
)
from goodwill.insights.registry import Chart, Figure, Filters, Result, Series, Table

MEASURES = ("inbound", "mood_sum", "mood_scored", "mood_negative")


def _mood(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def build(filters: Filters) -> Result:
    rows = daily(filters).filter(inbound__gt=0)
    t = sums(rows, measures=MEASURES)[0]
    average = mean(t["mood_sum"], t["mood_scored"])
    negative = ratio(t["mood_negative"], t["mood_scored"])
    figures = [
        Figure("Customer messages", t["inbound"], f"{t['inbound']:,}", f"{t['mood_scored']:,} read for mood"),
        Figure("Average mood", average, _mood(average), "from −1 (upset) to +1 (delighted)"),
        Figure(
            "Negative messages",
            negative,
            percent(negative),
            f"{t['mood_negative']:,} of {t['mood_scored']:,}",
        ),
    ]
    days = buckets(filters)
    per_day = sums(rows, "day", measures=MEASURES)
    sums_, scored, neg = (
        by_bucket(filters, per_day, m) for m in ("mood_sum", "mood_scored", "mood_negative")
    )
    x_labels = [label(day, filters) for day in days]

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    charts = [
        Chart("mood", "Average mood of customer messages", x_labels,
              [Series("Average mood", [rounded(mean(sums_.get(d, 0), scored.get(d, 0)), 3) for d in days])],
              note="Below zero, customers wrote more upset than pleased; a gap is a day without scored messages."),
        Chart("negative", "Share of negative messages", x_labels,
              [Series("Negative", [rounded(_pct(ratio(neg.get(d, 0), scored.get(d, 0))), 1) for d in days])],
              kind="bar", unit="%"),
    ]  # fmt: skip
    by_channel = sums(rows, "channel", measures=MEASURES)
    table = Table(
        "by-channel", "By channel", ["Channel", "Messages", "Read for mood", "Average mood", "Negative"],
        [
            [names.channel(r["channel"]), r["inbound"], r["mood_scored"], _mood(mean(r["mood_sum"], r["mood_scored"])),
             percent(ratio(r["mood_negative"], r["mood_scored"]))]
            for r in by_channel
        ],
    )  # fmt: skip
    notes = ["Messages in a language listening does not cover are not read for mood (no guess).", FRESHNESS]
    return Result(figures=figures, charts=charts, tables=[table], notes=notes)


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100
