"""The contact-rhythm maths, on plain values (no database): a customer's usual interval between
conversations, and whether their silence is overdue. The rebuild (watch.py) feeds it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

DAY = 86400.0


@dataclass(frozen=True)
class Thresholds:
    """What one team configured (ChurnSettings), as plain numbers."""

    factor: float = 2.0
    default_interval_days: float = 30.0
    min_interval_days: float = 7.0
    min_history: int = 3
    conduct_at_most: int = 2
    mood_at_most: float = -0.3


@dataclass(frozen=True)
class Rhythm:
    usual_days: float
    basis: str
    silent_days: float
    overdue: bool


def gaps_in_days(times: list[datetime]) -> list[float]:
    """The gaps between consecutive contacts (sorted oldest first), in days."""
    return [(later - earlier).total_seconds() / DAY for earlier, later in zip(times, times[1:], strict=False)]


def usual_interval(gaps: list[float], limits: Thresholds) -> tuple[float, str]:
    """The customer's usual interval in days, and how it was found, in words.

    With at least `min_history` conversations: the median gap (robust to one long holiday),
    never below `min_interval_days`. With fewer: the team default, or the customer's own gap
    when that is longer (a short history is a floor, not a rhythm).
    """
    conversations = len(gaps) + 1
    if conversations >= limits.min_history:
        median = statistics.median(gaps)
        if median < limits.min_interval_days:
            return limits.min_interval_days, (
                f"median gap of {conversations} conversations is {_days(median)}, "
                f"raised to the {_days(limits.min_interval_days)} minimum"
            )
        return median, f"median gap between {conversations} conversations"
    own = statistics.median(gaps) if gaps else 0.0
    if own > limits.default_interval_days:
        return own, f"only {conversations} conversations; their gap is longer than the default"
    return (
        limits.default_interval_days,
        f"only {conversations} conversation{'s' if conversations > 1 else ''}; team default",
    )


def rhythm_of(times: list[datetime], last_contact: datetime, now: datetime, limits: Thresholds) -> Rhythm:
    """Usual interval and silence for contacts at `times` (oldest first) and the latest contact."""
    usual, basis = usual_interval(gaps_in_days(times), limits)
    silent = (now - last_contact).total_seconds() / DAY
    return Rhythm(usual, basis, silent, silent > limits.factor * usual)


def _days(value: float) -> str:
    return f"{value:.0f} day{'s' if round(value) != 1 else ''}"


def rhythm_words(rhythm: Rhythm) -> str:
    return f"usually writes every {rhythm.usual_days:.0f} days, silent for {rhythm.silent_days:.0f}"
