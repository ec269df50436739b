"""SLA clocks follow the conversation through the event seam: start, meet, breach, pause, resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import add_reply, change_status, open_conversation, receive_message
from goodwill.core.events import run_subscriber
from goodwill.core.models import Event
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.expectations.models import Schedule, ScheduleTeam, SlaPolicy, SlaTarget
from goodwill.expectations.services import match_policy
from goodwill.expectations.tests.conftest import run_queued_subscribers

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday


def targets(conversation: Conversation) -> dict[str, SlaTarget]:
    return {
        t.kind + ("" if t.is_live else f":{t.pk}"): t
        for t in SlaTarget.objects.filter(conversation=conversation)
    }


def opened(customer, capture, **kwargs):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        conversation, _ = open_conversation(
            customer=customer, subject="Help", channel="email", text="Hi", at=T0, **kwargs
        )
    run_queued_subscribers()
    conversation.refresh_from_db()
    return conversation


def test_opening_starts_first_response_and_resolution_clocks(
    policy, customer, django_capture_on_commit_callbacks
):
    conversation = opened(customer, django_capture_on_commit_callbacks)
    live = targets(conversation)
    assert live["first_response"].due_at == T0 + timedelta(hours=1)
    assert live["first_response"].warn_at == T0 + timedelta(minutes=45)
    assert live["resolution"].due_at == T0 + timedelta(days=1)
    assert conversation.sla_due_at == T0 + timedelta(hours=1)


def test_a_reply_meets_the_first_response_and_the_next_message_starts_the_next_one(
    policy, agent, customer, django_capture_on_commit_callbacks
):
    conversation = opened(customer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(conversation, by=agent, text="On it", at=T0 + timedelta(minutes=20))
        receive_message(conversation, customer=customer, text="Thanks, and?", at=T0 + timedelta(hours=2))
        add_reply(conversation, by=agent, text="Done", at=T0 + timedelta(hours=4, minutes=30))
    run_queued_subscribers()
    first = SlaTarget.objects.get(conversation=conversation, kind="first_response")
    assert (first.outcome, first.margin_seconds) == ("met", 40 * 60)
    following = SlaTarget.objects.get(conversation=conversation, kind="next_response")
    assert following.started_at == T0 + timedelta(hours=2)
    assert (following.outcome, following.margin_seconds) == ("breached", -30 * 60)
    conversation.refresh_from_db()
    assert conversation.sla_due_at == T0 + timedelta(days=1)  # only resolution still runs


def test_pending_pauses_the_clock_and_the_customers_reply_resumes_it(
    policy, agent, customer, django_capture_on_commit_callbacks
):
    conversation = opened(customer, django_capture_on_commit_callbacks)
    with freeze_time(T0 + timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        add_reply(conversation, by=agent, text="Can you send a photo?", status="pending")
    run_queued_subscribers()
    resolution = SlaTarget.objects.get(conversation=conversation, kind="resolution")
    assert resolution.status == "paused" and resolution.remaining_seconds == 22 * 3600
    conversation.refresh_from_db()
    assert conversation.sla_due_at is None
    # Three days on the customer's side do not count.
    with django_capture_on_commit_callbacks(execute=True):
        receive_message(conversation, customer=customer, text="Here it is", at=T0 + timedelta(days=3))
    run_queued_subscribers()
    resolution.refresh_from_db()
    assert resolution.status == "running"
    assert resolution.due_at == T0 + timedelta(days=3, hours=22)
    following = SlaTarget.objects.get(conversation=conversation, kind="next_response", status="running")
    assert following.due_at == T0 + timedelta(days=3, hours=2)
    with freeze_time(T0 + timedelta(days=3, hours=1)), django_capture_on_commit_callbacks(execute=True):
        change_status(conversation, "solved", by=agent)
    run_queued_subscribers()
    resolution.refresh_from_db()
    assert (resolution.outcome, resolution.margin_seconds) == ("met", 21 * 3600)
    assert SlaTarget.objects.get(conversation=conversation, kind="next_response").status == "cancelled"
    conversation.refresh_from_db()
    assert conversation.sla_due_at is None


def test_each_event_applies_once_even_when_the_task_runs_again(
    policy, customer, django_capture_on_commit_callbacks
):
    conversation = opened(customer, django_capture_on_commit_callbacks)
    events = list(Event.objects.filter(conversation=conversation).values_list("pk", flat=True))
    run_subscriber.call("goodwill.expectations.subscribers.follow_conversation", events)
    assert SlaTarget.objects.filter(conversation=conversation).count() == 2


def test_the_first_matching_policy_in_order_wins(always_open, support_team, customer):
    acme = Organisation.objects.create(name="Acme")
    colleague = create_customer(name="Col League", emails=["col@example.test"])
    colleague.is_internal = True
    colleague.save()
    vip = create_customer(name="Vic", emails=["vic@acme.test"])
    vip.organisation = acme
    vip.save()
    SlaPolicy.objects.create(name="Everyone", position=90, resolution_minutes=600)
    SlaPolicy.objects.create(
        name="Urgent email", position=10, priority=4, channel="email", first_response_minutes=15
    )
    SlaPolicy.objects.create(name="Acme", position=20, organisation=acme, first_response_minutes=30)
    SlaPolicy.objects.create(
        name="Colleagues", position=30, customer_kind="internal", first_response_minutes=480
    )
    SlaPolicy.objects.create(name="Off", position=0, is_active=False, first_response_minutes=1)

    def name(who, **fields):  # type: ignore[no-untyped-def]
        conversation, _ = open_conversation(
            customer=who, subject="x", channel=fields.pop("channel", "email"), **fields
        )
        found = match_policy(conversation)
        return found.name if found else None

    assert name(customer, priority=4) == "Urgent email"
    assert name(customer, priority=4, channel="portal") == "Everyone"
    assert name(vip) == "Acme"
    assert name(colleague) == "Colleagues"
    assert name(customer) == "Everyone"


def test_the_teams_calendar_and_holidays_set_the_due_time(
    support_team, customer, django_capture_on_commit_callbacks
):
    london = Schedule.objects.create(
        name="London office",
        time_zone="Europe/London",
        hours={str(d): [["09:00", "17:00"]] for d in range(5)},
    )
    ScheduleTeam.objects.create(schedule=london, team=support_team)
    london.holidays.create(date=datetime(2026, 12, 25).date(), name="Christmas")
    london.holidays.create(date=datetime(2026, 12, 28).date(), name="Boxing day (substitute)")
    SlaPolicy.objects.create(name="Day", first_response_minutes=4 * 60)
    with django_capture_on_commit_callbacks(execute=True):
        conversation, _ = open_conversation(
            customer=customer,
            subject="x",
            channel="email",
            team=support_team,
            at=datetime(2026, 12, 24, 15, tzinfo=UTC),  # Thursday 15:00 in London
        )
    run_queued_subscribers()
    target = SlaTarget.objects.get(conversation=conversation, kind="first_response")
    assert target.due_at == datetime(2026, 12, 29, 11, tzinfo=UTC)  # 2 h Thu, then Tue 29th 09:00 + 2 h
