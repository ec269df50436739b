"""Insights "Service recovery": every figure equals a direct count of crafted recovery cases."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.insights.registry import Filters, dashboard
from goodwill.recovery.dashboards import SERVICE_RECOVERY, service_recovery
from goodwill.recovery.models import RecoveryCase
from goodwill.voice.grid import wilson

pytestmark = pytest.mark.django_db
START, END = date(2026, 3, 1), date(2026, 3, 10)
T = RecoveryCase.Trigger


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def world(support_team, billing_team, agent, outsider):  # type: ignore[no-untyped-def]
    acme = Organisation.objects.create(name="Acme")
    refund = ContactReason.objects.create(name="Refund")
    plan = [  # trigger, opened day, closed (day, hour) or None, result, team, owner, channel, Acme + refund
        (T.SLA_BREACH, 2, (3, 12), "recovered", support_team, agent, "email", False),
        (T.SLA_BREACH, 2, (4, 18), "not_recovered", support_team, agent, "email", False),
        (T.PROMISE_BROKEN, 3, (3, 14), "recovered", billing_team, outsider, "phone", True),
        (T.PROMISE_BROKEN, 5, (9, 12), "no_response", billing_team, outsider, "phone", True),
        (T.BAD_OUTCOME, 6, None, "", support_team, agent, "email", False),
        (T.BAD_OUTCOME, 9, (9, 13), "recovered", support_team, agent, "email", False),
        (T.COMPLAINT, 12, None, "", billing_team, outsider, "phone", True),  # opened after the period
        (T.MANUAL, 8, (8, 20), "", support_team, agent, "email", False),  # closed without a result
    ]
    with subscribed({}):
        for n, (trigger, day, closed, result, team, owner, channel, acme_refund) in enumerate(plan):
            person = create_customer(
                name=f"C{n}", emails=[f"c{n}@x.test"], organisation=acme if acme_refund else None
            )
            conversation = open_conversation(
                customer=person, subject="x", text="t", channel=channel, team=team
            )[0]
            Conversation.objects.filter(pk=conversation.pk).update(need=refund if acme_refund else None)
            RecoveryCase.objects.create(
                customer=person,
                conversation=conversation,
                team=team,
                trigger=trigger,
                source_key=f"test:{n}",
                reason="r",
                owner=owner,
                status="closed" if closed else "open",
                result=result,
                opened_at=at(day),
                closed_at=at(*closed) if closed else None,
                due_at=timezone.now() - timedelta(days=1) if n == 4 else None,
            )
    return {"billing": billing_team, "outsider": outsider, "acme": acme, "refund": refund}


def figures(result):  # type: ignore[no-untyped-def]
    return {figure.label: figure for figure in result.figures}


def closed_in_period(**lookups: object):  # type: ignore[no-untyped-def]
    return RecoveryCase.objects.filter(
        status="closed", closed_at__gte=at(1, 0), closed_at__lt=at(11, 0), **lookups
    )


def test_figures_equal_direct_counts(world):  # type: ignore[no-untyped-def]
    shown = figures(service_recovery(Filters(START, END)))
    assert shown["Open cases"].value == RecoveryCase.objects.filter(status="open").count() == 2
    assert shown["Open cases"].detail.startswith("1 past")
    assert (
        shown["Opened"].value
        == RecoveryCase.objects.filter(opened_at__gte=at(1, 0), opened_at__lt=at(11, 0)).count()
    )
    done = closed_in_period().exclude(result="").count()
    recovered = closed_in_period(result="recovered").count()
    assert shown["Recovery rate"].value == recovered / done == 3 / 5
    low, high = wilson(3, 5)  # type: ignore[misc]
    assert f"{low:.0%}–{high:.0%}" in shown["Recovery rate"].detail
    durations = [(c.closed_at - c.opened_at).total_seconds() for c in closed_in_period()]
    assert shown["Median time to close"].value == pytest.approx(statistics.median(durations))


def test_trend_and_tables_equal_direct_counts(world):  # type: ignore[no-untyped-def]
    result = service_recovery(Filters(START, END))
    series = {s.name: list(s.values) for s in result.charts[0].series}
    assert series["Service level breached"] == [
        RecoveryCase.objects.filter(trigger="sla_breach", opened_at__date=START + timedelta(days=n)).count()
        for n in range(10)
    ]
    by_trigger = {row[0]: row for row in result.tables[0].rows}
    assert by_trigger["Promise broken"][1:5] == [
        2,
        closed_in_period(trigger="promise_broken").exclude(result="").count(),
        1,
        "50%",
    ]
    assert by_trigger["Opened by hand"][1:4] == [1, 0, 0]
    by_team = {row[0]: row for row in result.tables[1].rows}
    assert by_team["Support"][1:5] == [5, 3, 2, "67%"]


@pytest.mark.parametrize("field", ["team_id", "agent_id", "organisation_id", "need_id", "channel"])
def test_each_filter_narrows_to_its_rows(world, field):  # type: ignore[no-untyped-def]
    value = {
        "team_id": world["billing"].pk,
        "agent_id": world["outsider"].pk,
        "organisation_id": world["acme"].pk,
        "need_id": world["refund"].pk,
        "channel": "phone",
    }[field]
    shown = figures(service_recovery(Filters(START, END, **{field: value})))
    billing = closed_in_period(team=world["billing"])
    assert shown["Recovery rate"].value == billing.filter(result="recovered").count() / billing.count() == 0.5
    assert shown["Opened"].value == 2 and shown["Open cases"].value == 1


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(world):  # type: ignore[no-untyped-def]
    RecoveryCase.objects.filter(source_key__in=["test:3", "test:7"]).delete()
    shown = figures(service_recovery(Filters(START, END)))
    durations = sorted((c.closed_at - c.opened_at).total_seconds() for c in closed_in_period())
    assert len(durations) == 4
    assert shown["Median time to close"].value == pytest.approx((durations[1] + durations[2]) / 2)


def test_no_cases_gives_no_data_and_no_division(db):  # type: ignore[no-untyped-def]
    result = service_recovery(Filters(START, END))
    assert result.notes[0].startswith("No data yet")
    assert figures(result)["Recovery rate"].value is None
    assert figures(result)["Median time to close"].display == "–"


def test_it_is_registered():
    assert dashboard("recovery") is SERVICE_RECOVERY
