"""The detector's conventions (README "Promises"), pinned: what is a promise and when it is due."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from goodwill.promises.calendar import WeekdayCalendar, calendar_for
from goodwill.promises.detect import find_promises

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)  # Monday 7 December 2026, 10:00 in London


def dues(text: str, now: datetime = MONDAY, tz: ZoneInfo | str = LONDON, **kw: object) -> list[str | None]:
    return [
        p.due.strftime("%Y-%m-%d %H:%M") if p.due else None for p in find_promises(text, now=now, tz=tz, **kw)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'll call you back tomorrow.", "2026-12-08 17:00"),
        ("We'll ship it by Friday.", "2026-12-11 17:00"),
        ("I'll ring you on Monday.", "2026-12-14 17:00"),  # said on a Monday: the next one
        ("I'll send it this Monday.", "2026-12-07 17:00"),  # "this": today counts
        (
            "I'll call you next Tuesday.",
            "2026-12-15 17:00",
        ),  # before Tuesday in the same week: the following week's
        ("I'll call you next Monday.", "2026-12-14 17:00"),
        ("You'll have it by the end of the week.", "2026-12-11 17:00"),  # Friday
        ("I'll reply within 48 hours.", "2026-12-09 10:00"),  # 48 hours from now
        ("We'll make sure it arrives before Christmas.", "2026-12-24 17:00"),
        ("I'll post it on 14/12.", "2026-12-14 17:00"),  # day first outside the US
        ("The engineer will visit on 2 December.", "2027-12-02 17:00"),  # first such date from today
        ("I'll look at it first thing Monday.", "2026-12-14 10:00"),
        ("I'll confirm later today.", "2026-12-07 17:00"),
        ("We'll refund you within 3 working days.", "2026-12-10 17:00"),
        ("I'll send it by 3pm.", "2026-12-07 15:00"),
        ("I'll call you tomorrow at 2pm.", "2026-12-08 14:00"),
        ("I'll reply tonight.", "2026-12-07 21:00"),
        ("We'll close it by the end of the month.", "2026-12-31 17:00"),
        ("We'll process the return within 5-10 working days.", "2026-12-21 17:00"),  # a range: its later end
    ],
)
def test_conventions(text, expected):
    assert dues(text) == [expected]


def test_next_weekday_said_after_that_day_is_the_next_one():
    wednesday = datetime(2026, 12, 9, 10, tzinfo=LONDON)
    assert dues("I'll call you next Tuesday.", now=wednesday) == ["2026-12-15 17:00"]


def test_numeric_dates_are_month_first_in_us_zones():
    assert dues("The technician will be there on 12/14.", now=MONDAY.astimezone(NEW_YORK), tz=NEW_YORK) == [
        "2026-12-14 17:00"
    ]


def test_today_said_after_the_working_day_is_due_by_midnight():
    evening = datetime(2026, 12, 7, 19, 0, tzinfo=LONDON)
    assert dues("I'll get back to you later today.", now=evening) == ["2026-12-07 23:59"]


def test_hours_are_real_hours_across_a_dst_change():
    before_clocks_go_forward = datetime(2027, 3, 26, 14, 0, tzinfo=LONDON)
    assert dues("I'll send it within 48 hours.", now=before_clocks_go_forward) == ["2027-03-28 15:00"]


def test_resolved_in_the_agents_zone_whatever_zone_now_is_given_in():
    utc_now = datetime(2026, 12, 7, 23, 30, tzinfo=ZoneInfo("UTC"))  # already Tuesday in Tokyo
    assert dues("I'll call you tomorrow.", now=utc_now, tz="Asia/Tokyo") == ["2026-12-09 17:00"]


@pytest.mark.parametrize(
    "text",
    [
        "If you send the photo, we can look at it.",
        "We shipped it on Friday.",
        "You mentioned you'll send the receipt tomorrow.",
        "You said you would call us back tomorrow.",
        "Refunds usually take 5-10 days to show on your statement.",
        "Would you like me to call you tomorrow?",
        "We won't be able to ship before Friday.",
        "Hopefully we'll have it by Friday.",
        "Our office will be closed on Friday.",
        "Please let me know by Friday if that works.",
        "We will ship it.",  # a commitment, but no date and nothing to follow up
    ],
)
def test_not_promises(text):
    assert dues(text) == []


def test_a_commitment_without_a_date_is_left_for_the_agent_to_date():
    found = find_promises("I'll get back to you as soon as possible.", now=MONDAY, tz=LONDON)
    assert [(p.due, p.kind, p.reason) for p in found] == [(None, "undated", "get back to you")]
    assert dues("We'll be in touch shortly.") == [None]


def test_several_dated_promises_are_several_entries_with_their_own_words():
    text = "Hi Maria,\n\nI'll call you tomorrow and send the invoice on Friday. Thanks!"
    found = find_promises(text, now=MONDAY, tz=LONDON)
    assert [p.due.strftime("%a %H:%M") for p in found if p.due] == ["Tue 17:00", "Fri 17:00"]
    assert [p.text for p in found] == ["I'll call you tomorrow", "send the invoice on Friday."]
    for p in found:
        assert text[p.start : p.end] == p.text


def test_quoted_history_is_not_read():
    text = "We will ship the charger by Friday.\n\n> I will send the old one tomorrow.\nOn Mon, Ana wrote:\nI'll pay on 2 January."
    assert dues(text) == ["2026-12-11 17:00"]


def test_we_is_not_wednesday_and_may_is_not_a_month():
    assert dues("We will keep the order on hold.") == []
    assert dues("We may ship it on Thursday.") == []
    assert dues("We'll deliver it on 5 May.") == ["2027-05-05 17:00"]


class HolidayCalendar(WeekdayCalendar):
    """Monday to Friday, with one holiday."""

    def __init__(self, holiday: date):
        self.holiday = holiday

    def is_business_day(self, d: date) -> bool:
        return super().is_business_day(d) and d != self.holiday


def test_working_days_come_from_the_teams_calendar():
    calendar = HolidayCalendar(date(2026, 12, 9))  # the Wednesday is a holiday
    assert dues("We'll refund you within 3 working days.", calendar=calendar) == ["2026-12-11 17:00"]
    assert dues("I'll reply on the next working day.", now=MONDAY + timedelta(days=1), calendar=calendar) == [
        "2026-12-10 17:00"
    ]


@pytest.mark.django_db
def test_default_calendar_is_monday_to_friday():
    calendar = calendar_for(None)
    assert calendar.is_business_day(date(2026, 12, 11)) and not calendar.is_business_day(date(2026, 12, 12))
    friday = datetime(2026, 12, 11, 9, tzinfo=LONDON)
    assert calendar.add_business_days(friday, 1) == datetime(2026, 12, 14, 9, tzinfo=LONDON)
    assert calendar.add_business_days(friday, 0) == friday
