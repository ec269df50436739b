"""Server-rendered SVG charts: line, grouped bar and stacked bar, with axes, legend and tooltips.

No script and no inline style (the CSP forbids both): colours come from classes in
`static/goodwill/insights.css`, tooltips from `<title>` elements. The chart is decorative for
screen readers (`aria-hidden`); the table under it carries the same figures.
"""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.insights.registry import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 44
PALETTE = 6  # classes s0…s5


def nice_max(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _fmt(value: float, unit: str = "") -> str:
    text = (
        f"{value:,.0f}"
        if float(value).is_integer() or abs(value) >= 100
        else f"{value:,.2f}".rstrip("0").rstrip(".")
    )
    return f"{text}{unit if unit == '%' else (' ' + unit if unit else '')}"


def render(chart: Chart) -> SafeString:
    n = len(chart.x_labels)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if chart.kind == "stacked":
        tops = [sum(max(0, s.values[i] or 0) for s in chart.series) for i in range(n)]
        low, high = 0.0, max(tops, default=0)
    else:
        present = [v for s in chart.series for v in s.values if v is not None]
        low, high = min([0.0, *present]), max([0.0, *present])
    top = nice_max(high)
    bottom = -nice_max(-low) if low < 0 else 0.0

    def y(value: float) -> float:
        return TOP + plot_h * (top - value) / (top - bottom)

    slot = plot_w / max(n, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i in range(5):  # grid lines and y labels
        value = bottom + (top - bottom) * i / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end">{escape(_fmt(value, chart.unit))}</text>'
        )
    every = max(1, math.ceil(n / 8))
    for i, text in enumerate(chart.x_labels):  # x labels, thinned to about eight
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{escape(text[-10:])}</text>'
            )
    parts.append(
        f'<line class="axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
    )
    if chart.kind == "line":
        parts += _lines(chart, slot, y)
    else:
        parts += _bars(chart, slot, y)
    parts += _legend(chart)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every outside text above is escaped


def _tip(chart: Chart, series: str, i: int, value: float | None) -> str:
    shown = "no data" if value is None else _fmt(value, chart.unit)
    return f"<title>{escape(series)}, {escape(chart.x_labels[i])}: {escape(shown)}</title>"


def _lines(chart: Chart, slot: float, y: object) -> list[str]:
    parts = []
    for k, series in enumerate(chart.series):
        points: list[str] = []
        runs: list[list[str]] = [points]
        for i, value in enumerate(series.values):
            if value is None:  # a gap, not a zero
                points = []
                runs.append(points)
                continue
            points.append(f"{LEFT + slot * (i + 0.5):.1f},{y(value):.1f}")  # type: ignore[operator]
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline class="line s{k % PALETTE}" points="{" ".join(run)}"/>')
        for i, value in enumerate(series.values):
            if value is not None:
                cx, cy = LEFT + slot * (i + 0.5), y(value)  # type: ignore[operator]
                parts.append(
                    f'<circle class="dot s{k % PALETTE}" cx="{cx:.1f}" cy="{cy:.1f}" r="3">{_tip(chart, series.name, i, value)}</circle>'
                )
    return parts


def _bars(chart: Chart, slot: float, y: object) -> list[str]:
    parts = []
    count = max(len(chart.series), 1)
    for i in range(len(chart.x_labels)):
        base = 0.0
        for k, series in enumerate(chart.series):
            value = series.values[i] or 0
            if chart.kind == "stacked":
                width, x = slot * 0.7, LEFT + slot * (i + 0.15)
                y0, y1 = y(base + max(value, 0)), y(base)  # type: ignore[operator]
                base += max(value, 0)
            else:
                width = slot * 0.8 / count
                x = LEFT + slot * (i + 0.1) + width * k
                y0, y1 = min(y(value), y(0)), max(y(value), y(0))  # type: ignore[operator]
            parts.append(
                f'<rect class="bar s{k % PALETTE}" x="{x:.1f}" y="{y0:.1f}" width="{max(width, 0.5):.1f}" '
                f'height="{max(y1 - y0, 0):.1f}">{_tip(chart, series.name, i, series.values[i])}</rect>'
            )
    return parts


def _legend(chart: Chart) -> list[str]:
    parts, x = [], LEFT
    for k, series in enumerate(chart.series):
        parts.append(f'<rect class="bar s{k % PALETTE}" x="{x}" y="{HEIGHT - 16}" width="10" height="10"/>')
        parts.append(f'<text class="legend" x="{x + 14}" y="{HEIGHT - 7}">{escape(series.name[:28])}</text>')
        x += 24 + 7 * min(len(series.name), 28)
    return parts
