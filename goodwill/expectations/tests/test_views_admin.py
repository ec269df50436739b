"""Admins edit SLA policies, schedules and holidays in the workspace; bad input changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goodwill.expectations.models import Holiday, Schedule, ScheduleTeam, SlaPolicy

pytestmark = pytest.mark.django_db

ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//holidays//EN
BEGIN:VEVENT
UID:xmas@example.test
DTSTART;VALUE=DATE:20261225
DTEND;VALUE=DATE:20261229
SUMMARY:Christmas closure
END:VEVENT
BEGIN:VEVENT
UID:ny@example.test
DTSTART;VALUE=DATE:20270101
SUMMARY:New Year's Day
END:VEVENT
END:VCALENDAR
"""
BROKEN = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:not-a-date\nSUMMARY:Oops\nEND:VEVENT\nEND:VCALENDAR\n"


@pytest.fixture
def schedule(support_team) -> Schedule:  # type: ignore[no-untyped-def]
    return Schedule.objects.create(
        name="London", time_zone="Europe/London", hours={"0": [["09:00", "17:00"]]}
    )


def test_only_admins_reach_the_admin_pages(client, agent):
    client.force_login(agent)
    assert client.get(reverse("expectations:policies")).status_code == 403
    assert client.get(reverse("expectations:schedules")).status_code == 403


def test_an_admin_adds_a_policy_and_a_policy_without_targets_is_refused(client, admin):
    client.force_login(admin)
    bad = client.post(
        reverse("expectations:policies"), {"name": "Empty", "position": 1, "warn_before_minutes": 30}
    )
    assert "at least one target" in bad.content.decode() and not SlaPolicy.objects.exists()
    assert 'value="Empty"' in bad.content.decode()  # what was typed stays
    ok = client.post(
        reverse("expectations:policies"),
        {
            "name": "VIP",
            "position": 5,
            "priority": 4,
            "first_response_minutes": 30,
            "warn_before_minutes": 10,
            "is_active": "on",
            "notify_on_breach": "on",
        },
    )
    assert ok.status_code == 302
    policy = SlaPolicy.objects.get(name="VIP")
    assert (policy.priority, policy.first_response_minutes) == (4, 30)
    page = client.get(reverse("expectations:policies")).content.decode()
    assert "VIP" in page and "Urgent priority" in page


def test_schedule_hours_and_teams_are_saved_and_bad_hours_keep_the_form(
    client, admin, schedule, support_team
):
    client.force_login(admin)
    url = reverse("expectations:schedule", args=[schedule.pk])
    data = {
        "form": "schedule",
        "name": "London",
        "time_zone": "Europe/London",
        "teams": [support_team.pk],
        "day_0": "08:00-12:00, 13:00-17:00",
        "day_1": "17:00-09:00",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and "end must come after the start" in bad.content.decode()
    schedule.refresh_from_db()
    assert schedule.hours == {"0": [["09:00", "17:00"]]} and not ScheduleTeam.objects.exists()
    data["day_1"] = "24h"
    data["time_zone"] = "Mars/Olympus"
    assert "Not a time zone" in client.post(url, data).content.decode()
    data["time_zone"] = "America/New_York"
    assert client.post(url, data).status_code == 302
    schedule.refresh_from_db()
    assert schedule.hours == {"0": [["08:00", "12:00"], ["13:00", "17:00"]], "1": [["00:00", "00:00"]]}
    assert ScheduleTeam.objects.get().team == support_team


def test_ics_import_adds_every_day_of_a_closure_and_a_broken_file_changes_nothing(client, admin, schedule):
    client.force_login(admin)
    url = reverse("expectations:schedule", args=[schedule.pk])
    broken = client.post(url, {"form": "ics", "file": SimpleUploadedFile("h.ics", BROKEN, "text/calendar")})
    assert broken.status_code == 400
    assert "Nothing was imported" in broken.content.decode() and not Holiday.objects.exists()
    done = client.post(
        url, {"form": "ics", "file": SimpleUploadedFile("h.ics", ICS, "text/calendar")}, follow=True
    )
    assert "Imported 5 holidays (0 were there already)" in done.content.decode()
    assert list(schedule.holidays.values_list("date", flat=True)) == [
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 27),
        date(2026, 12, 28),
        date(2027, 1, 1),
    ]
    again = client.post(
        url, {"form": "ics", "file": SimpleUploadedFile("h.ics", ICS, "text/calendar")}, follow=True
    )
    assert "Imported 0 holidays (5 were there already)" in again.content.decode()


def test_a_holiday_typed_by_hand_and_removed(client, admin, schedule):
    client.force_login(admin)
    url = reverse("expectations:schedule", args=[schedule.pk])
    assert client.post(url, {"form": "holiday", "date": "2026-05-04", "name": "Early May"}).status_code == 302
    assert "already" in client.post(url, {"form": "holiday", "date": "2026-05-04"}).content.decode()
    holiday = Holiday.objects.get()
    client.post(reverse("expectations:holiday_delete", args=[holiday.pk]))
    assert not Holiday.objects.exists()
