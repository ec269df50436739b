"""Insights "Outcome × conduct": quadrants, return rates and answers over time equal direct counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.insights.registry import Filters, dashboard
from goodwill.voice.dashboards import OUTCOME_CONDUCT, outcome_conduct
from goodwill.voice.grid import wilson
from goodwill.voice.models import ReturnEvent, Survey
from goodwill.voice.returns import recompute_returns

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(support_team, billing_team, agent, outsider):  # type: ignore[no-untyped-def]
    now = timezone.now()
    acme = Organisation.objects.create(name="Acme")
    refund = ContactReason.objects.create(name="Refund")
    plan = [  # outcome, conduct, days ago, came back after (days), team, agent, channel, in Acme
        ("no", 5, 100, 10, support_team, agent, "email", False),
        ("partly", 4, 100, 60, support_team, agent, "email", False),
        ("no", 4, 100, None, billing_team, outsider, "phone", True),
        ("no", 1, 100, 5, billing_team, outsider, "phone", True),
        ("yes", 5, 10, None, support_team, agent, "email", False),
        ("yes", 2, 100, None, support_team, agent, "email", False),
        ("yes", 5, 40, 20, billing_team, outsider, "phone", True),
        ("yes", 4, 500, 1, support_team, agent, "email", False),  # answered before the period
    ]
    for n, (outcome, conduct, ago, back, team, who, channel, in_acme) in enumerate(plan):
        person = create_customer(
            name=f"C{n}", emails=[f"c{n}@x.test"], organisation=acme if in_acme else None
        )
        conversation = open_conversation(customer=person, subject="q", text="t", channel=channel, team=team)[
            0
        ]
        answered = now - timedelta(days=ago)
        Conversation.objects.filter(pk=conversation.pk).update(
            created_at=answered - timedelta(days=1), need=refund if in_acme else None
        )
        Survey.objects.create(
            conversation=conversation,
            customer=person,
            agent=who,
            team=team,
            send_after=answered,
            sent_at=answered,
            outcome=outcome,
            conduct=conduct,
            answered_at=answered,
        )
        if back is not None and n % 2:
            ReturnEvent.objects.create(customer=person, at=answered + timedelta(days=back))
        elif back is not None:
            again = open_conversation(customer=person, subject="again", text="t", channel="email")[0]
            Conversation.objects.filter(pk=again.pk).update(created_at=answered + timedelta(days=back))
    recompute_returns(Survey.objects.all())  # the rows were back-dated after the subscriber ran
    return {
        "support": support_team,
        "billing": billing_team,
        "agent": agent,
        "outsider": outsider,
        "acme": acme,
        "refund": refund,
        "start": (now - timedelta(days=365)).date(),
        "end": now.date(),
    }


def came_back_within(survey: Survey, days: int) -> bool:
    until = survey.answered_at + timedelta(days=days)
    return (
        Conversation.objects.filter(
            customer=survey.customer, created_at__gt=survey.answered_at, created_at__lte=until
        ).exists()
        or ReturnEvent.objects.filter(
            customer=survey.customer, at__gt=survey.answered_at, at__lte=until
        ).exists()
    )


def quadrant(survey: Survey) -> str:
    met = "met" if survey.outcome == "yes" else "unmet"
    return f"{met}-{'good' if survey.conduct >= 4 else 'poor'}"


def expected(world, **lookups):  # type: ignore[no-untyped-def]
    """Per quadrant: answers, then (eligible, returned) for 30 and 90 days, straight from the rows."""
    now, since = timezone.now(), timezone.now() - timedelta(days=366)
    table: dict[str, list[int]] = {}
    for survey in Survey.objects.filter(answered_at__gte=since, **lookups):
        row = table.setdefault(quadrant(survey), [0, 0, 0, 0, 0])
        row[0] += 1
        for i, days in enumerate((30, 90)):
            if survey.answered_at <= now - timedelta(days=days):
                row[1 + 2 * i] += 1
                row[2 + 2 * i] += came_back_within(survey, days)
    return table


def test_quadrants_and_rates_equal_direct_counts(world):  # type: ignore[no-untyped-def]
    result = outcome_conduct(Filters(world["start"], world["end"]))
    table = expected(world)
    rows = {row[0]: row for row in result.tables[0].rows}
    labels = {
        "met-good": "Need met, treated well",
        "met-poor": "Need met, treated poorly",
        "unmet-good": "Need not (fully) met, treated well",
        "unmet-poor": "Need not (fully) met, treated poorly",
    }
    for key, label in labels.items():
        answers, eligible30, back30, eligible90, back90 = table.get(key, [0, 0, 0, 0, 0])
        row = rows[label]
        assert row[1] == answers and row[5] == eligible30 and row[8] == eligible90
        assert row[3] == (f"{back30 / eligible30:.0%}" if eligible30 else "–")
        interval = wilson(back90, eligible90)
        assert row[7] == ("–" if interval is None else f"{interval[0]:.0%}–{interval[1]:.0%}")
    assert table["unmet-good"] == [3, 3, 1, 3, 2]
    figures = {figure.label: figure for figure in result.figures}
    assert figures["Answers"].value == 7
    assert figures["Need met"].value == 3 / 7
    assert figures["Treated well"].value == 5 / 7
    bars = {series.name: series.values for series in result.charts[0].series}
    assert bars["within 90 days"][2] == round(100 * 2 / 3, 1)
    assert bars["within 30 days"][0] == 100.0  # met, treated well: the 40-day-old answer came back
    assert bars["within 90 days"][0] is None  # and no answer is old enough for 90 days


def test_answers_over_time_add_up(world):  # type: ignore[no-untyped-def]
    chart = outcome_conduct(Filters(world["start"], world["end"])).charts[1]
    assert chart.x_labels[0].startswith("20") and len(chart.x_labels) in (12, 13)  # by month
    totals = {series.name: sum(series.values) for series in chart.series}
    assert totals["Need not (fully) met, treated well"] == 3
    assert sum(totals.values()) == 7


@pytest.mark.parametrize("field", ["team_id", "agent_id", "organisation_id", "need_id", "channel"])
def test_each_filter_narrows_to_its_rows(world, field):  # type: ignore[no-untyped-def]
    value = {
        "team_id": world["billing"].pk,
        "agent_id": world["outsider"].pk,
        "organisation_id": world["acme"].pk,
        "need_id": world["refund"].pk,
        "channel": "phone",
    }[field]
    result = outcome_conduct(Filters(world["start"], world["end"], **{field: value}))
    table = expected(world, team=world["billing"])
    rows = {row[0]: row for row in result.tables[0].rows}
    assert rows["Need not (fully) met, treated poorly"][1] == table["unmet-poor"][0] == 1
    assert result.figures[0].value == sum(row[0] for row in table.values()) == 3


def test_no_answers_gives_no_data_and_no_division(db):  # type: ignore[no-untyped-def]
    today = timezone.now().date()
    result = outcome_conduct(Filters(today - timedelta(days=30), today))
    assert result.notes[0].startswith("No data yet")
    assert result.figures[1].value is None and result.figures[1].display == "–"
    assert all(value is None for series in result.charts[0].series for value in series.values)


def test_it_is_registered():
    assert dashboard("outcome-conduct") is OUTCOME_CONDUCT
