"""Automation's periodic jobs (listed in goodwill/schedules.py)."""

from __future__ import annotations

from datetime import datetime

from goodwill.automation.assignment import return_from_away
from goodwill.automation.engine import run_time_rules


def time_rules(now: datetime) -> str | None:
    return run_time_rules(now)


def away_returns(now: datetime) -> str | None:
    returned = return_from_away(now)
    return f"{returned} returned to their teams" if returned else None
