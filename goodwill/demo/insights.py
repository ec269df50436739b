"""Insights: the dashboards' summaries, rebuilt from the seeded rows at the end of seeding."""

from __future__ import annotations

from collections.abc import Callable

from goodwill.insights.rollup import rebuild


def seed_insights(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    say = progress or (lambda _text: None)
    say("  insights summaries…")
    return {"insights_daily_rows": rebuild()}
