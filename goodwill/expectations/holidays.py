"""Holidays into a schedule: typed by an admin, or imported from an .ics file.

An import reads the whole file first; a file that does not parse, or an event without a
usable date, raises `HolidayImportError` and nothing is stored. All-day events cover every
date from DTSTART up to (not including) DTEND, so a four-day closure over a weekend is one
event; a timed event marks the local date it starts on. Recurring rules are not expanded:
each year's holidays are their own events in published holiday calendars.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from icalendar import Calendar

from goodwill.expectations.models import Holiday, Schedule

MAX_EVENT_DAYS = 366
MAX_IMPORT_BYTES = 2_000_000


class HolidayImportError(ValueError):
    pass


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise HolidayImportError("an event has a date that cannot be read")


def read_ics(data: bytes) -> dict[date, str]:
    """date → name of every holiday in the file; raises HolidayImportError for a broken file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise HolidayImportError("The file is larger than 2 MB; is it really a holiday calendar?")
    try:
        calendar = Calendar.from_ical(data)
        events = calendar.walk("VEVENT")
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise HolidayImportError(f"This is not a readable .ics calendar ({error}).") from None
    found: dict[date, str] = {}
    for number, event in enumerate(events, start=1):
        name = str(event.get("SUMMARY", "") or "")[:200]
        try:
            start_prop = event.get("DTSTART")
            if start_prop is None:
                raise HolidayImportError("it has no start date")
            start = _as_date(start_prop.dt)
            end_prop = event.get("DTEND")
            end = _as_date(end_prop.dt) if end_prop is not None else start + timedelta(days=1)
        except (AttributeError, ValueError) as error:
            raise HolidayImportError(
                f"Event {number} ({name or 'no name'}): {error}. Nothing was imported."
            ) from None
        days = max(1, (end - start).days)
        if days > MAX_EVENT_DAYS:
            raise HolidayImportError(
                f"Event {number} ({name or 'no name'}) lasts over a year. Nothing was imported."
            )
        for offset in range(days):
            found.setdefault(start + timedelta(days=offset), name)
    if not found:
        raise HolidayImportError("The calendar has no events. Nothing was imported.")
    return found


def import_holidays(schedule: Schedule, data: bytes) -> tuple[int, int]:
    """Add the file's holidays to `schedule`; returns (added, already there). All or nothing."""
    holidays = read_ics(data)
    return add_holidays(schedule, holidays)


def add_holidays(schedule: Schedule, holidays: dict[date, str]) -> tuple[int, int]:
    with transaction.atomic():
        existing = set(schedule.holidays.filter(date__in=list(holidays)).values_list("date", flat=True))
        Holiday.objects.bulk_create(
            [
                Holiday(schedule=schedule, date=day, name=name)
                for day, name in holidays.items()
                if day not in existing
            ]
        )
    return len(holidays) - len(existing), len(existing)
