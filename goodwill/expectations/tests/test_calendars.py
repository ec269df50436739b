"""Business-time maths: office hours, midnight, holidays over weekends, DST in London and New York."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest

from goodwill.expectations.calendars import BusinessCalendar, calendar_for, parse_hours
from goodwill.expectations.models import Holiday, Schedule, ScheduleTeam

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = {day: [(time(9), time(17))] for day in range(5)}
EVERY_DAY_ALL_DAY = {day: [(time(0), time(0))] for day in range(7)}


def at(zone: zoneinfo.ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)  # type: ignore[misc]


def test_adding_time_skips_the_night_and_the_weekend() -> None:
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_5)
    friday_4pm = at(LONDON, 2026, 12, 4, 16)
    due = calendar.add_business_time(friday_4pm, timedelta(hours=2))
    assert due == at(LONDON, 2026, 12, 7, 10)  # Monday 10:00
    assert calendar.business_time_between(friday_4pm, due) == timedelta(hours=2)


def test_a_start_outside_hours_counts_from_the_next_opening() -> None:
    calendar = BusinessCalendar("UTC", WEEKDAYS_9_TO_5)
    saturday = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert calendar.add_business_time(saturday, timedelta(minutes=30)) == datetime(
        2026, 12, 7, 9, 30, tzinfo=UTC
    )
    assert calendar.business_time_between(saturday, datetime(2026, 12, 6, 23, tzinfo=UTC)) == timedelta(0)


def test_the_european_spring_change_keeps_business_hours_local() -> None:
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_5)
    # Clocks go forward on Sunday 29 March 2026: Friday 09:00 is 09:00 GMT, Monday 09:00 is 08:00 UTC.
    friday = at(LONDON, 2026, 3, 27, 9)
    due = calendar.add_business_time(friday, timedelta(hours=10))
    assert due == at(LONDON, 2026, 3, 30, 11)
    assert due.astimezone(UTC).hour == 10
    assert calendar.business_time_between(friday, due) == timedelta(hours=10)


def test_a_round_the_clock_team_gets_a_23_hour_day_in_spring_and_25_in_autumn() -> None:
    calendar = BusinessCalendar("Europe/London", EVERY_DAY_ALL_DAY)
    spring = calendar.business_time_between(at(LONDON, 2026, 3, 29), at(LONDON, 2026, 3, 30))
    autumn = calendar.business_time_between(at(LONDON, 2026, 10, 25), at(LONDON, 2026, 10, 26))
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))
    assert calendar.add_business_time(at(LONDON, 2026, 10, 25), timedelta(hours=24)) == at(
        LONDON, 2026, 10, 25, 23
    )


def test_new_york_transitions_in_march_and_november() -> None:
    calendar = BusinessCalendar("America/New_York", WEEKDAYS_9_TO_5)
    # DST starts Sunday 8 March 2026 and ends Sunday 1 November 2026.
    for friday, monday in ((date(2026, 3, 6), date(2026, 3, 9)), (date(2026, 10, 30), date(2026, 11, 2))):
        start = datetime.combine(friday, time(16), tzinfo=NEW_YORK)
        due = calendar.add_business_time(start, timedelta(hours=3))
        assert due == datetime.combine(monday, time(11), tzinfo=NEW_YORK)
        assert calendar.business_time_between(start, due) == timedelta(hours=3)
    assert calendar.add_business_days(at(NEW_YORK, 2026, 3, 6, 9, 30), 1) == at(NEW_YORK, 2026, 3, 9, 9, 30)


def test_hours_across_midnight_belong_to_the_day_they_start() -> None:
    night_shift = {4: [(time(22), time(0))], 5: [(time(0), time(2))]}  # Fri 22-24, Sat 00-02
    calendar = BusinessCalendar("UTC", night_shift)
    friday_11pm = datetime(2026, 12, 4, 23, tzinfo=UTC)
    assert calendar.add_business_time(friday_11pm, timedelta(hours=2)) == datetime(2026, 12, 5, 1, tzinfo=UTC)
    assert calendar.is_open_at(datetime(2026, 12, 4, 23, 59, tzinfo=UTC))
    assert not calendar.is_open_at(datetime(2026, 12, 5, 2, tzinfo=UTC))


def test_holidays_spanning_a_weekend_are_skipped_like_the_weekend() -> None:
    christmas = frozenset({date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)})
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_5, christmas)
    wednesday = at(LONDON, 2026, 12, 23, 16)
    assert calendar.add_business_time(wednesday, timedelta(hours=2)) == at(LONDON, 2026, 12, 29, 10)
    assert not calendar.is_business_day(date(2026, 12, 28))
    assert calendar.add_business_days(wednesday, 1) == at(LONDON, 2026, 12, 29, 16)
    assert calendar.add_business_days(at(LONDON, 2026, 12, 29, 16), -1) == wednesday


def test_negative_time_goes_back_and_between_is_signed() -> None:
    calendar = BusinessCalendar("UTC", WEEKDAYS_9_TO_5)
    monday_10 = datetime(2026, 12, 7, 10, tzinfo=UTC)
    assert calendar.add_business_time(monday_10, -timedelta(hours=2)) == datetime(2026, 12, 4, 16, tzinfo=UTC)
    assert calendar.business_time_between(monday_10, datetime(2026, 12, 4, 16, tzinfo=UTC)) == -timedelta(
        hours=2
    )


def test_a_calendar_without_hours_refuses_to_count() -> None:
    with pytest.raises(ValueError, match="no working hours"):
        BusinessCalendar("UTC", {}).add_business_time(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))


def test_hours_are_read_from_what_admins_type() -> None:
    assert parse_hours("09:00-12:30, 13:30-17:00") == [(time(9), time(12, 30)), (time(13, 30), time(17))]
    assert parse_hours("") == [] and parse_hours("24h") == [(time(0), time(0))]
    for bad in ("9-", "17:00-09:00", "09:00-12:00, 11:00-13:00", "nine-five"):
        with pytest.raises(ValueError):
            parse_hours(bad)


@pytest.mark.django_db
def test_calendar_for_a_team_falls_back_to_the_default_and_then_office_hours(
    support_team, billing_team
) -> None:
    assert calendar_for(None).hours[0] == [(time(9), time(17))]
    default = Schedule.objects.create(name="Default", time_zone="Europe/London", is_default=True, hours={})
    own = Schedule.objects.create(name="US", time_zone="America/New_York", hours={"0": [["08:00", "16:00"]]})
    ScheduleTeam.objects.create(schedule=own, team=billing_team)
    Holiday.objects.create(schedule=own, date=date(2026, 12, 7), name="Closed")
    assert calendar_for(support_team).time_zone == default.time_zone
    us = calendar_for(billing_team)
    assert us.time_zone == "America/New_York" and not us.is_business_day(date(2026, 12, 7))
    assert us.is_business_day(date(2026, 12, 14))
