"""Insights "Promise keeping": every figure equals a direct count of the same crafted promises."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.insights.registry import Filters, dashboard
from goodwill.promises.dashboards import PROMISE_KEEPING, promise_keeping
from goodwill.promises.models import Promise

pytestmark = pytest.mark.django_db
START, END = date(2026, 3, 1), date(2026, 3, 10)
Out = Promise.Outcome


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def world(support_team, billing_team, agent, outsider, customer):  # type: ignore[no-untyped-def]
    acme = Organisation.objects.create(name="Acme")
    buyer = create_customer(name="Bo Buyer", emails=["bo@acme.test"], organisation=acme)
    refund = ContactReason.objects.create(name="Refund")
    with subscribed({}):
        support = open_conversation(
            customer=customer, subject="a", text="t", channel="email", team=support_team
        )[0]
        billing = open_conversation(
            customer=buyer, subject="b", text="t", channel="phone", team=billing_team
        )[0]
    Conversation.objects.filter(pk=billing.pk).update(need=refund)

    def promise(conversation, owner, outcome, closed_day, state=Promise.State.CLOSED):  # type: ignore[no-untyped-def]
        return Promise.objects.create(
            conversation=conversation,
            customer=conversation.customer,
            team_id=conversation.team_id,  # as confirm_promise copies it
            owner=owner,
            text="I'll call you",
            due_at=at(closed_day),
            state=state,
            outcome=outcome,
            closed_at=at(closed_day, 15),
            created_at=at(1) - timedelta(days=1),
        )

    for outcome, day in (
        (Out.KEPT_EARLY, 2),
        (Out.KEPT_ON_TIME, 2),
        (Out.KEPT_ON_TIME, 5),
        (Out.LATE, 6),
        (Out.BROKEN, 9),
    ):
        promise(support, agent, outcome, day)
    for outcome, day in ((Out.KEPT_ON_TIME, 3), (Out.BROKEN, 3), (Out.BROKEN, 10), (Out.CANCELLED, 4)):
        promise(billing, outsider, outcome, day)
    promise(support, agent, Out.BROKEN, 11)  # closed after the period
    Promise.objects.filter(pk=promise(support, agent, Out.KEPT_EARLY, 1).pk).update(
        closed_at=at(1, 0) - timedelta(seconds=1)
    )
    Promise.objects.create(  # open past its due time: counted apart, now
        conversation=billing,
        customer=buyer,
        team=billing_team,
        owner=outsider,
        text="By Friday",
        due_at=timezone.now() - timedelta(days=1),
        created_at=at(1),
    )
    return {
        "support": support_team,
        "billing": billing_team,
        "agent": agent,
        "outsider": outsider,
        "acme": acme,
        "refund": refund,
    }


def direct(**lookups: object) -> dict[str, int]:
    rows = Promise.objects.filter(state="closed", closed_at__gte=at(1, 0), closed_at__lt=at(11, 0), **lookups)
    return {outcome: rows.filter(outcome=outcome).count() for outcome in Out.values}


def figures(result):  # type: ignore[no-untyped-def]
    return {figure.label: figure for figure in result.figures}


def test_figures_equal_a_direct_count(world):  # type: ignore[no-untyped-def]
    result = promise_keeping(Filters(START, END))
    counts = direct()
    counted = counts[Out.KEPT_EARLY] + counts[Out.KEPT_ON_TIME] + counts[Out.LATE] + counts[Out.BROKEN]
    shown = figures(result)
    assert shown["Promises closed"].value == counted == 8
    assert (
        shown["Kept by the due time"].value == (counts[Out.KEPT_EARLY] + counts[Out.KEPT_ON_TIME]) / counted
    )
    assert shown["Kept by the due time"].display == "50%"
    assert shown["Kept late"].value == counts[Out.LATE] / counted
    assert shown["Broken"].value == counts[Out.BROKEN] / counted
    assert (
        shown["Open past due now"].value
        == Promise.objects.filter(state="open", due_at__lt=timezone.now()).count()
    )
    assert any("1 cancelled" in note for note in result.notes)


def test_the_trend_adds_up_to_the_counts_per_day(world):  # type: ignore[no-untyped-def]
    trend = promise_keeping(Filters(START, END)).charts[0]
    assert len(trend.x_labels) == 10 and trend.x_labels[0] == "2026-03-01"
    series = {s.name: list(s.values) for s in trend.series}
    assert series["Broken"] == [
        Promise.objects.filter(outcome="broken", closed_at__date=START + timedelta(days=n)).count()
        for n in range(10)
    ]
    assert sum(map(sum, series.values())) == 8


def test_tables_by_agent_and_team_equal_direct_counts(world):  # type: ignore[no-untyped-def]
    result = promise_keeping(Filters(START, END))
    by_agent = {row[0]: row for row in result.tables[0].rows}
    mine = direct(owner=world["agent"])
    assert by_agent["Sam Agent"][1:6] == [
        5,
        mine[Out.KEPT_EARLY],
        mine[Out.KEPT_ON_TIME],
        mine[Out.LATE],
        mine[Out.BROKEN],
    ]
    assert by_agent["Sam Agent"][6] == "60%"
    by_team = {row[0]: row for row in result.tables[1].rows}
    billing = direct(conversation__team=world["billing"])
    assert by_team["Billing"][1:6] == [3, 0, billing[Out.KEPT_ON_TIME], 0, billing[Out.BROKEN]]


@pytest.mark.parametrize(
    "field, lookup",
    [
        ("team_id", "conversation__team"),
        ("agent_id", "owner"),
        ("organisation_id", "customer__organisation"),
        ("need_id", "conversation__need"),
    ],
)
def test_each_filter_narrows_to_its_rows(world, field, lookup):  # type: ignore[no-untyped-def]
    value = {
        "team_id": world["billing"],
        "agent_id": world["outsider"],
        "organisation_id": world["acme"],
        "need_id": world["refund"],
    }[field]
    result = promise_keeping(Filters(START, END, **{field: value.pk}))
    counts = direct(**{lookup: value})
    assert figures(result)["Promises closed"].value == counts[Out.KEPT_ON_TIME] + counts[Out.BROKEN] == 3
    assert figures(result)["Open past due now"].value == 1


def test_channel_filter(world):  # type: ignore[no-untyped-def]
    result = promise_keeping(Filters(START, END, channel="email"))
    assert (
        figures(result)["Promises closed"].value == sum(direct(conversation__channel="email").values()) == 5
    )


def test_no_promises_gives_no_data_and_no_division(db):  # type: ignore[no-untyped-def]
    result = promise_keeping(Filters(START, END))
    assert figures(result)["Kept by the due time"].value is None
    assert figures(result)["Kept by the due time"].display == "–"
    assert result.notes[0].startswith("No data yet")
    assert all(not table.rows for table in result.tables)


def test_days_are_the_local_days_of_the_current_time_zone(world):  # type: ignore[no-untyped-def]
    Promise.objects.filter(outcome="late").update(closed_at=datetime(2026, 3, 6, 23, 30, tzinfo=UTC))
    with timezone.override("Europe/Paris"):  # 00:30 on the 7th in Paris
        series = {s.name: s.values for s in promise_keeping(Filters(START, END)).charts[0].series}
    assert series["Kept late"][6] == 1 and series["Kept late"][5] == 0


def test_the_period_by_team_reads_no_conversation(world, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(4) as captured:
        promise_keeping(Filters(START, END, team_id=world["billing"].pk))
    period = captured.captured_queries[0]["sql"]
    assert "promises_promise" in period and "conversations_conversation" not in period


def test_the_migration_copies_each_conversations_team(world):  # type: ignore[no-untyped-def]
    expected = dict(Promise.objects.values_list("pk", "team_id"))
    Promise.objects.update(team=None)
    migration = importlib.import_module("goodwill.promises.migrations.0003_promise_team")
    with connection.cursor() as cursor:
        migration.copy_conversation_team(django_apps, SimpleNamespace(execute=cursor.execute))
    assert dict(Promise.objects.values_list("pk", "team_id")) == expected
    assert set(expected.values()) == {world["support"].pk, world["billing"].pk}


def test_it_is_registered():
    assert dashboard("promises") is PROMISE_KEEPING
