"""Insights "Complaints and improvements": every figure equals a direct count of crafted complaints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.insights.registry import Filters, dashboard
from goodwill.voice.dashboards import COMPLAINTS, complaints_and_improvements
from goodwill.voice.models import Complaint, Improvement

pytestmark = pytest.mark.django_db
START, END = date(2026, 3, 1), date(2026, 3, 10)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def world(support_team, billing_team, agent, outsider):  # type: ignore[no-untyped-def]
    acme = Organisation.objects.create(name="Acme")
    late = ContactReason.objects.create(name="Late delivery")
    shipped = Improvement.objects.create(title="Ring first", status="shipped", shipped_at=at(6))
    planned = Improvement.objects.create(title="Better boxes", status="planned")
    old = Improvement.objects.create(title="Old fix", status="shipped", shipped_at=at(1) - timedelta(days=20))
    plan = [  # day marked, improvement, told day, team, assignee, channel, Acme + late delivery
        (2, shipped, 7, support_team, agent, "email", False),
        (3, shipped, None, support_team, agent, "email", False),
        (3, planned, None, billing_team, outsider, "phone", True),
        (5, None, None, billing_team, outsider, "phone", True),
        (9, planned, None, support_team, agent, "email", False),
        (10, None, None, support_team, agent, "email", False),
        (12, shipped, None, support_team, agent, "email", False),  # after the period
        (1, old, None, billing_team, outsider, "phone", True),  # marked before the period, told in it
    ]
    for n, (day, improvement, told, team, who, channel, acme_late) in enumerate(plan):
        person = create_customer(
            name=f"C{n}", emails=[f"c{n}@x.test"], organisation=acme if acme_late else None
        )
        conversation = open_conversation(
            customer=person, subject="bad", text="t", channel=channel, team=team
        )[0]
        Conversation.objects.filter(pk=conversation.pk).update(assignee=who, need=late if acme_late else None)
        marked = at(day) if n < 7 else at(1) - timedelta(days=30)
        Complaint.objects.create(
            conversation=conversation,
            customer=person,
            marked_at=marked,
            improvement=improvement,
            notified_at=at(told) if told else (at(4) if n == 7 else None),
        )
    return {"billing": billing_team, "outsider": outsider, "acme": acme, "late": late}


def direct(**lookups: object):  # type: ignore[no-untyped-def]
    return Complaint.objects.filter(marked_at__gte=at(1, 0), marked_at__lt=at(11, 0), **lookups)


def figures(result):  # type: ignore[no-untyped-def]
    return {figure.label: figure for figure in result.figures}


def test_figures_equal_direct_counts(world):  # type: ignore[no-untyped-def]
    shown = figures(complaints_and_improvements(Filters(START, END)))
    assert shown["Complaints"].value == direct().count() == 6
    linked = direct(improvement__isnull=False).count()
    assert shown["Linked to an improvement"].value == linked / 6 == 4 / 6
    assert (
        shown["Improvements shipped"].value
        == Improvement.objects.filter(shipped_at__gte=at(1, 0), shipped_at__lt=at(11, 0)).count()
        == 1
    )
    assert (
        shown["Customers told"].value
        == Complaint.objects.filter(notified_at__gte=at(1, 0), notified_at__lt=at(11, 0)).count()
        == 2
    )


def test_trend_by_need_and_by_status_equal_direct_counts(world):  # type: ignore[no-untyped-def]
    result = complaints_and_improvements(Filters(START, END))
    trend = result.charts[0].series[0].values
    assert list(trend) == [direct(marked_at__date=START + timedelta(days=n)).count() for n in range(10)]
    by_need = {row[0]: row for row in result.tables[0].rows}
    assert by_need["Late delivery"][1:] == [2, 1, "50%"]
    assert by_need["No need recorded"][1:3] == [direct(conversation__need__isnull=True).count(), 3]
    by_status = {row[0]: row for row in result.tables[1].rows}
    assert by_status["Shipped"][1:] == [1, direct(improvement__status="shipped").count(), 1]
    assert by_status["Planned"][1:] == [1, 2, 0]
    assert by_status["Idea"][1:] == [0, 0, 0]


@pytest.mark.parametrize("field", ["team_id", "agent_id", "organisation_id", "need_id", "channel"])
def test_each_filter_narrows_to_its_rows(world, field):  # type: ignore[no-untyped-def]
    value = {
        "team_id": world["billing"].pk,
        "agent_id": world["outsider"].pk,
        "organisation_id": world["acme"].pk,
        "need_id": world["late"].pk,
        "channel": "phone",
    }[field]
    shown = figures(complaints_and_improvements(Filters(START, END, **{field: value})))
    assert shown["Complaints"].value == direct(conversation__team=world["billing"]).count() == 2
    assert shown["Linked to an improvement"].display == "50%"
    assert shown["Customers told"].value == 1  # the old complaint, told in the period
    assert shown["Improvements shipped"].value == 0


def test_no_complaints_gives_no_data_and_no_division(db):  # type: ignore[no-untyped-def]
    result = complaints_and_improvements(Filters(START, END))
    assert result.notes[0].startswith("No data yet")
    assert figures(result)["Linked to an improvement"].value is None
    assert result.tables[0].rows == []


def test_it_is_registered():
    assert dashboard("complaints") is COMPLAINTS
