"""Which days count as working days, for promises phrased in business days.

The detector only ever calls the two methods of `WorkingCalendar`, so any calendar with them
(a team's business hours and holidays) can stand in. `calendar_for(team)` is the one place
that picks the calendar for a team.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol

from goodwill.expectations.calendars import calendar_for as team_calendar


class WorkingCalendar(Protocol):
    def is_business_day(self, d: date) -> bool: ...

    def add_business_days(self, start: datetime, days: int) -> datetime: ...


class WeekdayCalendar:
    """Monday to Friday, no holidays: the default when a team has no calendar of its own."""

    def is_business_day(self, d: date) -> bool:
        return d.weekday() < 5

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """`days` working days after `start` (same time of day); 0 days is `start` itself."""
        current = start
        left = days
        while left > 0:
            current += timedelta(days=1)
            if self.is_business_day(current.date()):
                left -= 1
        return current


DEFAULT_CALENDAR = WeekdayCalendar()


def calendar_for(team: Any) -> WorkingCalendar:
    """The working calendar of `team` (or of no team): the team's business schedule and holidays
    from the service levels (expectations.calendars), else the instance default, else Mon–Fri."""
    return team_calendar(team)
