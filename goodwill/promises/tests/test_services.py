"""Confirming, dropping, rescheduling and closing promises; linking them to the reply that carried them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from goodwill.conversations.services import add_reply
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.promises.models import Promise
from goodwill.promises.services import (
    close_promise,
    confirm_promise,
    draft_promises,
    drop_detected,
    link_reply,
    outcome_when_kept,
    reschedule,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DUE = datetime(2026, 12, 11, 17, 0, tzinfo=LONDON)
TEXT = "We'll ship it by Friday."


@pytest.fixture
def conversation(customer):  # type: ignore[no-untyped-def]
    with subscribed({}):
        return make_conversation(customer=customer)


def test_confirm_stores_owner_due_conversation_and_customer_once(conversation, agent):
    first = confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE)
    again = confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE + timedelta(days=1))
    assert again.pk == first.pk and Promise.objects.count() == 1
    again.refresh_from_db()
    assert (again.owner, again.customer_id, again.conversation, again.due_at) == (
        agent,
        conversation.customer_id,
        conversation,
        DUE + timedelta(days=1),
    )
    assert again.state == Promise.State.OPEN and again.source == Promise.Source.DETECTED


def test_bad_input_changes_nothing(conversation, agent, light_agent):
    with pytest.raises(ValidationError):
        confirm_promise(conversation, by=agent, text="  ", due_at=DUE)
    with pytest.raises(ValidationError):
        confirm_promise(conversation, by=agent, text="x" * 501, due_at=DUE)
    with pytest.raises(PermissionDenied):
        confirm_promise(conversation, by=light_agent, text=TEXT, due_at=DUE)
    assert not Promise.objects.exists()


def test_composer_stops_offering_what_was_confirmed_or_dropped(conversation, agent):
    now = datetime(2026, 12, 7, 10, tzinfo=LONDON)
    agent.time_zone = "Europe/London"
    draft = "I'll call you tomorrow. We'll ship it by Friday."
    assert [p.text for p in draft_promises(conversation, agent, draft, now=now)] == [
        "I'll call you tomorrow.",
        TEXT,
    ]
    confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE)
    drop_detected(conversation, by=agent, text="I'll call you tomorrow.")
    assert draft_promises(conversation, agent, draft, now=now) == []
    assert Promise.objects.filter(state=Promise.State.DROPPED).count() == 1


def test_sending_the_reply_links_its_promises_once(conversation, agent, teammate):
    mine = confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE)
    other = confirm_promise(conversation, by=teammate, text=TEXT, due_at=DUE)
    unsaid = confirm_promise(conversation, by=agent, text="I'll call you on Monday.", due_at=DUE)
    with subscribed({}):
        reply = add_reply(conversation, by=agent, text=f"Hi Carla,\n\nThanks. {TEXT}\n\nSam")
    assert link_reply(reply) == 1
    assert link_reply(reply) == 0
    assert Promise.objects.get(pk=mine.pk).message == reply
    assert Promise.objects.get(pk=other.pk).message is None  # someone else's draft
    assert Promise.objects.get(pk=unsaid.pk).message is None  # not in what was sent


@pytest.mark.parametrize(
    ("kept_at", "outcome"),
    [
        (datetime(2026, 12, 10, 16, 0, tzinfo=LONDON), Promise.Outcome.KEPT_EARLY),  # a day before
        (datetime(2026, 12, 11, 9, 0, tzinfo=LONDON), Promise.Outcome.KEPT_ON_TIME),  # on the day
        (datetime(2026, 12, 11, 17, 0, tzinfo=LONDON), Promise.Outcome.KEPT_ON_TIME),
        (datetime(2026, 12, 11, 17, 1, tzinfo=LONDON), Promise.Outcome.LATE),
    ],
)
def test_kept_is_early_on_time_or_late_by_the_clock(conversation, agent, kept_at, outcome):
    agent.time_zone = "Europe/London"
    agent.save()
    promise = confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE)
    assert outcome_when_kept(promise, kept_at) == outcome
    closed = close_promise(promise, by=agent, closing="kept", at=kept_at)
    assert (closed.state, closed.outcome, closed.closed_by) == (Promise.State.CLOSED, outcome, agent)


def test_broken_and_cancelled_need_a_reason_and_closing_twice_is_refused(conversation, agent):
    promise = confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE)
    with pytest.raises(ValidationError):
        close_promise(promise, by=agent, closing="broken", reason=" ")
    assert Promise.objects.get(pk=promise.pk).state == Promise.State.OPEN
    close_promise(promise, by=agent, closing="broken", reason="The courier lost it")
    with pytest.raises(ValidationError):
        close_promise(promise, by=agent, closing="cancelled", reason="Customer withdrew")
    stored = Promise.objects.get(pk=promise.pk)
    assert (stored.outcome, stored.reason) == (Promise.Outcome.BROKEN, "The courier lost it")


def test_reschedule_starts_reminders_again(conversation, agent):
    promise = confirm_promise(conversation, by=agent, text=TEXT, due_at=DUE)
    Promise.objects.filter(pk=promise.pk).update(reminded_at=timezone.now(), overdue_at=timezone.now())
    moved = reschedule(promise, by=agent, due_at=DUE + timedelta(days=3))
    assert (moved.due_at, moved.reminded_at, moved.overdue_at) == (DUE + timedelta(days=3), None, None)


def test_working_days_follow_the_teams_schedule_and_holidays(conversation, agent, support_team):
    """"Within 3 working days" counts the team's own business days (expectations' calendar)."""
    from goodwill.expectations.models import Holiday, Schedule, ScheduleTeam

    conversation.team = support_team
    conversation.save()
    weekdays = {str(day): [["09:00", "17:00"]] for day in range(5)}
    schedule = Schedule.objects.create(name="Support", time_zone="UTC", hours=weekdays)
    ScheduleTeam.objects.create(schedule=schedule, team=support_team)
    now = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("UTC"))  # a Monday
    (plain,) = draft_promises(conversation, agent, "We will fix it within 3 working days.", now=now)
    assert plain.due is not None and plain.due.date().isoformat() == "2026-12-10"
    Holiday.objects.create(schedule=schedule, date=datetime(2026, 12, 8).date(), name="Staff day")
    (shifted,) = draft_promises(conversation, agent, "We will fix it within 3 working days.", now=now)
    assert shifted.due is not None and shifted.due.date().isoformat() == "2026-12-11"
