"""A lead opens the churn watch, reads why a customer is listed, and opens a recovery case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goodwill.accounts.models import TeamMembership
from goodwill.churn.watch import rebuild_watch
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.promises.models import Promise
from goodwill.recovery.models import RecoveryCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(support_team):  # type: ignore[no-untyped-def]
    now = timezone.now()
    with subscribed({}):
        organisation = Organisation.objects.create(name="Regular Ltd", value=Decimal("2500"))
        rita = create_customer(name="Rita Regular", emails=["rita@regular.test"], organisation=organisation)
        for days in (116, 95, 74, 53):
            last, _message = open_conversation(
                customer=rita,
                subject=f"Order question {days}",
                channel="email",
                text="Hello",
                team=support_team,
                at=now - timedelta(days=days),
            )
        Promise.objects.create(
            conversation=last,
            customer=rita,
            text="We'll process the refund by Friday.",
            due_at=now - timedelta(days=50),
            state="closed",
            outcome="broken",
            created_at=last.created_at,
        )
        rebuild_watch(now)
    return rita


def test_a_lead_reads_a_reason_and_opens_a_recovery_case(listed, agent, support_team, new_page):
    TeamMembership.objects.filter(agent=agent, team=support_team).update(is_lead=True)
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto("/")
    expect(page.locator('.ws-more a[href="/churn/"]')).to_have_text("Churn watch")  # in the Pages menu
    page.goto("/churn/")
    expect(page.get_by_role("heading", name="Churn watch", level=1)).to_be_visible()

    row = page.locator(f"#customer-{listed.pk}")
    expect(row).to_contain_text("Rita Regular")
    expect(row).to_contain_text("was broken; usually writes every 21 days, silent for 53")
    row.get_by_text("Why listed").click()
    expect(row).to_contain_text("median gap between 4 conversations")

    row.get_by_role("button", name="Open recovery case").click()
    expect(page.get_by_text("Recovery case opened.")).to_be_visible()
    expect(page.locator(f"#customer-{listed.pk}")).to_contain_text("recovery case open")
    case = RecoveryCase.objects.get()
    assert case.trigger == RecoveryCase.Trigger.CHURN_RISK and case.customer == listed
