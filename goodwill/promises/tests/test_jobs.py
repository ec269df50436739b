"""The periodic sweep reminds owners before due and flags unkept promises at due, once each."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from goodwill.accounts.models import Notification
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.core.periodic import run_job
from goodwill.promises.models import Promise
from goodwill.promises.services import close_promise, confirm_promise

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DUE = datetime(2026, 12, 11, 17, 0, tzinfo=LONDON)


@pytest.fixture
def promise(customer, agent):  # type: ignore[no-untyped-def]
    with subscribed({}):
        conversation = make_conversation(customer=customer)
    return confirm_promise(conversation, by=agent, text="We'll ship it by Friday.", due_at=DUE)


def test_nothing_before_the_reminder_window(promise):
    assert run_job("promises.sweep", DUE - timedelta(hours=3)) == ""
    assert not Notification.objects.exists()


def test_reminds_once_before_due_then_flags_once_at_due(promise, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_job("promises.sweep", DUE - timedelta(hours=1)) == "1 reminder, 0 flagged overdue"
        assert run_job("promises.sweep", DUE - timedelta(minutes=30)) == ""
    reminder = Notification.objects.get(agent=agent)
    assert reminder.kind == "promise" and "Promise due" in reminder.title and reminder.body == promise.text
    assert Promise.objects.get(pk=promise.pk).overdue_at is None

    with django_capture_on_commit_callbacks(execute=True):
        assert run_job("promises.sweep", DUE + timedelta(minutes=1)) == "0 reminders, 1 flagged overdue"
        assert run_job("promises.sweep", DUE + timedelta(minutes=2)) == ""
    assert Promise.objects.get(pk=promise.pk).is_overdue
    assert Notification.objects.filter(agent=agent).count() == 2
    assert Notification.objects.filter(agent=agent, title__startswith="Promise not kept yet").exists()


def test_a_sweep_that_missed_the_window_flags_without_a_late_reminder(promise, agent):
    assert run_job("promises.sweep", DUE + timedelta(hours=5)) == "0 reminders, 1 flagged overdue"
    assert Notification.objects.filter(agent=agent).count() == 1


def test_closed_and_undated_promises_are_left_alone(promise, agent):
    close_promise(promise, by=agent, closing="kept")
    Promise.objects.create(
        conversation=promise.conversation,
        customer=promise.customer,
        owner=agent,
        text="I'll get back to you shortly.",
        created_at=DUE - timedelta(days=1),
    )
    assert run_job("promises.sweep", DUE + timedelta(days=1)) == ""


def test_reminder_mail_goes_out_once(promise, agent, django_capture_on_commit_callbacks):
    from goodwill.accounts.notifications import mail_notification

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_job("promises.sweep", DUE - timedelta(hours=1))
    assert len(callbacks) == 1  # one mail queued
    notice = Notification.objects.get(agent=agent)
    mail_notification.call(notice.pk)
    mail_notification.call(notice.pk)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [agent.email]
