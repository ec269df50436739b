"""Business time: when a team works, and clock maths that only counts those hours.

`calendar_for(team)` gives a team's `BusinessCalendar` (its schedule, else the instance's
default schedule, else Monday to Friday 09:00–17:00 UTC). The object answers:

- `is_business_day(d)`: the weekday has hours and `d` is not a holiday;
- `add_business_days(start, n)`: the same local time of day on the n-th business day after
  `start`'s local date (n = 0: `start`); for "within 3 working days";
- `add_business_time(start, delta)`: the moment `delta` of working time after `start`;
- `business_time_between(a, b)`: the working time from `a` to `b` (negative when b < a).

Every working interval is turned into UTC before any arithmetic, so a day that is 23 or 25
hours long across a DST change counts its true length, and an interval crossing midnight
(e.g. 22:00–24:00) ends on the next day. Aware datetimes in, aware UTC datetimes out.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from goodwill.accounts.models import Team

# weekday (Monday = 0) → working intervals in local time, end exclusive; time(0) as an
# end means midnight at the end of the day ("24:00").
WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]
OFFICE_HOURS: dict[int, list[tuple[time, time]]] = {day: [(time(9), time(17))] for day in range(5)}
# Far enough for any target; a calendar with hours never needs more than a year of steps.
MAX_DAYS = 3660


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str = "UTC"
    hours: WeeklyHours = field(default_factory=lambda: OFFICE_HOURS)
    holidays: frozenset[date] = frozenset()
    name: str = "Office hours"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return _zone(self.time_zone)

    @property
    def has_hours(self) -> bool:
        return any(self.hours.get(day) for day in range(7))

    def is_business_day(self, d: date) -> bool:
        return bool(self.hours.get(d.weekday())) and d not in self.holidays

    def intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of local date `d`, as UTC (start, end); none on a day off."""
        if not self.is_business_day(d):
            return []
        zone = self.zone
        found = []
        for opens, closes in self.hours.get(d.weekday(), ()):
            start = datetime.combine(d, opens, tzinfo=zone).astimezone(UTC)
            end_day = d + timedelta(days=1) if closes <= opens else d
            end = datetime.combine(end_day, closes, tzinfo=zone).astimezone(UTC)
            if end > start:
                found.append((start, end))
        return found

    def _days_from(self, moment: datetime, step: int = 1) -> Iterator[date]:
        # Start a day early: an interval of the previous day may run past midnight.
        day = moment.astimezone(self.zone).date() - timedelta(days=step)
        for _ in range(MAX_DAYS):
            yield day
            day += timedelta(days=step)

    def is_open_at(self, moment: datetime) -> bool:
        moment = _utc(moment)
        day = moment.astimezone(self.zone).date()
        return any(
            start <= moment < end for d in (day - timedelta(days=1), day) for start, end in self.intervals(d)
        )

    def add_business_time(self, start: datetime, delta: timedelta) -> datetime:
        """The moment `delta` of working time after `start` (before it, for a negative delta).

        A zero delta gives `start` itself, even out of hours.
        """
        start = _utc(start)
        if delta < timedelta(0):
            return self._subtract_business_time(start, -delta)
        remaining = delta
        if not remaining:
            return start
        self._require_hours()
        for day in self._days_from(start):
            for opens, closes in self.intervals(day):
                opens = max(opens, start)
                if closes <= opens:
                    continue
                if closes - opens >= remaining:
                    return opens + remaining
                remaining -= closes - opens
        raise ValueError("No working hours within ten years.")

    def _subtract_business_time(self, end: datetime, delta: timedelta) -> datetime:
        self._require_hours()
        remaining = delta
        for day in self._days_from(end, step=-1):
            for opens, closes in reversed(self.intervals(day)):
                closes = min(closes, end)
                if closes <= opens:
                    continue
                if closes - opens >= remaining:
                    return closes - remaining
                remaining -= closes - opens
        raise ValueError("No working hours within ten years.")

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from `a` to `b`; negative when `b` is before `a`."""
        a, b = _utc(a), _utc(b)
        if b < a:
            return -self.business_time_between(b, a)
        total = timedelta(0)
        last = b.astimezone(self.zone).date()
        for day in self._days_from(a):
            if day > last:
                break
            for opens, closes in self.intervals(day):
                lo, hi = max(opens, a), min(closes, b)
                if hi > lo:
                    total += hi - lo
        return total

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the `days`-th business day after `start`'s date.

        Negative `days` go back. The local time is kept across DST changes (09:30 stays
        09:30), so the UTC difference is not a whole number of days then.
        """
        local = _utc(start).astimezone(self.zone)
        if days == 0:
            return _utc(start)
        self._require_hours()
        step = 1 if days > 0 else -1
        day, left = local.date(), abs(days)
        for _ in range(MAX_DAYS):
            day += timedelta(days=step)
            if self.is_business_day(day):
                left -= 1
                if left == 0:
                    moment = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=self.zone)
                    return moment.astimezone(UTC)
        raise ValueError("No business day within ten years.")

    def _require_hours(self) -> None:
        if not self.has_hours:
            raise ValueError(f"The calendar {self.name!r} has no working hours.")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Business-time maths needs aware datetimes.")
    return moment.astimezone(UTC)


def parse_hours(text: str) -> list[tuple[time, time]]:
    """ "09:00-12:30, 13:30-17:00" → intervals; "" → closed; "24h" → the whole day.

    Raises ValueError with a message fit for a form.
    """
    text = text.strip().lower()
    if not text or text in ("closed", "-"):
        return []
    if text in ("24h", "24 h", "all day"):
        return [(time(0), time(0))]
    intervals = []
    for part in text.replace(";", ",").split(","):
        pieces = [piece.strip() for piece in part.replace("–", "-").split("-")]
        if len(pieces) != 2:
            raise ValueError(f"Write hours like 09:00-17:00, not {part.strip()!r}.")
        opens, closes = (_parse_time(piece) for piece in pieces)
        if closes != time(0) and closes <= opens:
            raise ValueError(f"{part.strip()}: the end must come after the start.")
        intervals.append((opens, closes))
    intervals.sort()
    for (_a, first_end), (second_start, _b) in zip(intervals, intervals[1:], strict=False):
        if first_end == time(0) or first_end > second_start:
            raise ValueError("Intervals of one day must not overlap.")
    return intervals


def _parse_time(text: str) -> time:
    if text in ("24:00", "24"):
        return time(0)
    try:
        hour, _, minute = text.partition(":")
        return time(int(hour), int(minute or 0))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (use 24-hour HH:MM).") from None


def format_hours(intervals: Iterable[Sequence[time]]) -> str:
    parts = []
    for opens, closes in intervals:
        if opens == time(0) and closes == time(0):
            return "24h"
        parts.append(f"{opens:%H:%M}-{'24:00' if closes == time(0) else f'{closes:%H:%M}'}")
    return ", ".join(parts)


DEFAULT_CALENDAR = BusinessCalendar()


def calendar_for(team: Team | int | None) -> BusinessCalendar:
    """The team's calendar; the instance default schedule; else Mon–Fri 09:00–17:00 UTC."""
    from goodwill.expectations.models import Schedule

    team_id = team if isinstance(team, int) or team is None else team.pk
    schedule = None
    if team_id is not None:
        schedule = Schedule.objects.filter(teams__id=team_id).first()
    if schedule is None:
        schedule = Schedule.objects.filter(is_default=True).first()
    if schedule is None:
        return DEFAULT_CALENDAR
    holidays = frozenset(schedule.holidays.values_list("date", flat=True))
    return BusinessCalendar(
        time_zone=schedule.time_zone, hours=schedule.weekly(), holidays=holidays, name=schedule.name
    )
