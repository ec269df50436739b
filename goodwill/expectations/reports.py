"""Reads for the expectations page: segments, the monthly rows, and the server-drawn chart."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.expectations.figures import BANDS
from goodwill.expectations.models import WaitingFigure

MONTHS_SHOWN = 24
# Light to dark: short waits pale, long waits dark (readable in greyscale too).
BAND_COLOURS = ["#d6ecd2", "#a8d5a0", "#f3e3a1", "#f2c17d", "#e8945e", "#c8553d", "#7a2418"]


def segments() -> list[tuple[str, str]]:
    found = dict(WaitingFigure.objects.values_list("segment", "segment_label").distinct().order_by("segment"))
    fixed = [("all", "All customers"), ("external", "External customers"), ("internal", "Internal customers")]
    orgs = sorted(
        ((key, label) for key, label in found.items() if key.startswith("org:")), key=lambda item: item[1]
    )
    return fixed + orgs


def expectations_table(segment: str, kind: str) -> list[WaitingFigure]:
    rows = WaitingFigure.objects.filter(segment=segment, kind=kind).order_by("-month")[:MONTHS_SHOWN]
    return list(reversed(rows))


def hours(seconds: int | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def chart_for(rows: list[WaitingFigure]) -> SafeString:
    """One stacked bar per month: the share of conversations in each waiting-time band."""
    if not rows:
        return mark_safe("")
    width, height, left, bottom, top = 720, 260, 40, 40, 10
    step = (width - left - 10) / len(rows)
    bar = max(4.0, step * 0.7)
    plot = height - bottom - top
    parts = [
        f'<svg class="expectations-chart" viewBox="0 0 {width} {height + 30}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-title">Share of conversations per waiting-time band, by month</title>'
    ]
    for tick in (0, 50, 100):
        y = top + plot * (1 - tick / 100)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}%</text>')
    for index, row in enumerate(rows):
        x = left + index * step + (step - bar) / 2
        y = top + plot
        total = max(1, row.count)
        for band, count in enumerate(row.bands or []):
            h = plot * count / total
            y -= h
            if h > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BAND_COLOURS[band]}">'
                    f"<title>{escape(row.month.strftime('%b %Y'))}: {count} {escape(BANDS[band][1])}</title></rect>"
                )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="10">'
            f"{escape(row.month.strftime('%b %y'))}</text>"
        )
    legend_x = left
    for band, (_lower, label) in enumerate(BANDS):
        parts.append(
            f'<rect x="{legend_x}" y="{height + 8}" width="10" height="10" fill="{BAND_COLOURS[band]}"/>'
            f'<text x="{legend_x + 14}" y="{height + 17}" font-size="11">{escape(label)}</text>'
        )
        legend_x += 95
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only
