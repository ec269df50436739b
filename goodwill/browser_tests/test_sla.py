"""SLA in a real browser: a countdown badge on the inbox row and the conversation, and the
"Breaching soon" view listing the overdue conversation first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.expectations.models import Schedule, SlaPolicy
from goodwill.expectations.tests.conftest import SLA_ONLY, run_queued_subscribers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clocks(customer, support_team):  # type: ignore[no-untyped-def]
    Schedule.objects.create(
        name="Always", is_default=True, hours={str(day): [["00:00", "00:00"]] for day in range(7)}
    )
    SlaPolicy.objects.create(name="Standard", first_response_minutes=60, resolution_minutes=24 * 60)
    now = timezone.now()
    with subscribed(SLA_ONLY):
        for minutes, subject in ((5, "Plenty of time"), (90, "Kettle never arrived")):
            open_conversation(
                customer=customer,
                subject=subject,
                channel="email",
                team=support_team,
                at=now - timedelta(minutes=minutes),
            )
        run_queued_subscribers()


def test_an_agent_sees_the_countdown_and_the_breaching_soon_view(clocks, agent, new_page):
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto("/?view=open")
    row = page.locator(".conv-row", has_text="Plenty of time")
    expect(row.locator(".badge-sla")).to_have_text(re.compile(r"^\d+m left$"))
    page.get_by_role("navigation", name="Views").get_by_role(
        "link", name=re.compile("Breaching soon")
    ).click()
    rows = page.locator(".conv-row")
    expect(rows.first).to_contain_text("Kettle never arrived")
    expect(rows.first.locator(".badge-sla")).to_have_text(re.compile(r"^Overdue 3\dm$"))
    expect(page.get_by_label("Sort")).to_have_value("time_left")
    rows.first.get_by_role("link").click()
    panel = page.get_by_role("region", name="Service levels")
    expect(panel).to_contain_text("First response")
    expect(panel.locator(".sla-breached")).to_have_text(re.compile("Overdue"))
