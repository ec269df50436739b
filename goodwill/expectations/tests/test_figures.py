"""Expectations measured: monthly waiting-time figures per segment, the page, its chart and CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import add_reply, open_conversation
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.expectations import figures
from goodwill.expectations.models import WaitingFigure

pytestmark = pytest.mark.django_db
NOV = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_percentiles_are_nearest_rank():
    assert figures.percentile([1, 2, 3, 4], 0.5) == 2
    assert figures.percentile(list(range(1, 101)), 0.95) == 95
    assert figures.percentile([], 0.5) is None


def test_the_job_builds_months_then_only_recomputes_what_changed(agent, customer):
    acme = Organisation.objects.create(name="Acme")
    colleague = create_customer(name="Col", emails=["col@example.test"])
    Organisation.objects.filter(pk=acme.pk)
    colleague.is_internal = True
    colleague.organisation = acme
    colleague.save()
    for hours, who in ((1, customer), (3, customer), (10, colleague)):
        conversation, _ = open_conversation(customer=who, subject="x", channel="email", at=NOV)
        add_reply(conversation, by=agent, text="ok", at=NOV + timedelta(hours=hours))
    assert figures.refresh_figures(NOV) == "1 months, 3 figures"  # nothing solved: no resolution rows
    everyone = WaitingFigure.objects.get(month=date(2026, 11, 1), segment="all", kind="first_response")
    assert (everyone.count, everyone.p50_seconds, everyone.p95_seconds) == (3, 3 * 3600, 10 * 3600)
    assert everyone.bands[1] == 2 and everyone.bands[3] == 1
    assert WaitingFigure.objects.get(segment="internal", kind="first_response").count == 1
    assert figures.refresh_figures(NOV) == ""  # nothing new
    december = datetime(2026, 12, 1, 9, tzinfo=UTC)
    conversation, _ = open_conversation(customer=customer, subject="y", channel="email", at=december)
    add_reply(conversation, by=agent, text="ok", at=december + timedelta(minutes=30))
    assert figures.refresh_figures(december) == "1 months, 2 figures"
    assert WaitingFigure.objects.filter(month=date(2026, 12, 1)).count() == 2
    assert Conversation.objects.count() == 4


def test_the_page_draws_the_chart_with_a_table_and_downloads_csv(client, agent, customer):
    conversation, _ = open_conversation(customer=customer, subject="x", channel="email", at=NOV)
    add_reply(conversation, by=agent, text="ok", at=NOV + timedelta(hours=2))
    figures.refresh_figures(NOV)
    client.force_login(agent)
    page = client.get(reverse("expectations:measured")).content.decode()
    assert "<svg" in page and "<caption>Waiting times per month" in page and "2.0 h" in page
    csv = client.get(reverse("expectations:measured") + "?segment=all&kind=first_response&format=csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("month,segment,kind,count,p50_seconds") and lines[1].startswith(
        "2026-11-01,all,"
    )


def test_light_agents_do_not_see_the_page(client, light_agent):
    client.force_login(light_agent)
    assert client.get(reverse("expectations:measured")).status_code == 403
