"""Periodic job: the catch-up sweep that keeps the summaries within a minute of the source."""

from __future__ import annotations

from datetime import datetime

from goodwill.insights import rollup


def sweep(now: datetime) -> str | None:
    return rollup.sweep(now)
