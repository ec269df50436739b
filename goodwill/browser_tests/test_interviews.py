"""Answering an interview from the email link, and a lead renaming a theme, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from goodwill.accounts.models import TeamMembership
from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.customers.services import create_customer
from goodwill.voice import interviews as service
from goodwill.voice.models import Answer, Campaign, InterviewTheme, Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_answers_the_interview_from_the_email(browser, live_server, settings, customer):
    settings.BASE_URL = live_server.url
    campaign = Campaign.objects.create(name="Spring")
    service.invite(campaign, service.Selection(emails="carla@customer.test"))
    service.set_status(campaign, "sending")
    service.send_interviews(campaign.created_at)
    link = re.search(r"(http\S+/interview/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body

    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(link.group(1))
    page.get_by_label("What keeps you coming back?").fill("You always call back when you promise.")
    page.get_by_label("What matters most to you in great service?").fill("Being listened to.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert sorted(Answer.objects.values_list("question", flat=True)) == [0, 2]
    page.goto(link.group(1))
    expect(page.get_by_role("status")).to_contain_text("nothing was changed")
    assert Invitation.objects.get().answered_at is not None
    context.close()


def test_a_lead_renames_a_theme(new_page, agent):
    TeamMembership.objects.filter(agent=agent).update(is_lead=True)
    campaign = Campaign.objects.create(name="Spring", status="sending")
    texts = ["Quick refund, the refund process is painless", "Refunds are quick and the refund arrives in two days",
             "Easy refund whenever a refund was needed", "Delivery always on time, delivery is reliable",
             "Reliable delivery, the delivery courier is on time", "On-time delivery every week, delivery never late"]
    for n, text in enumerate(texts):
        person = create_customer(name=f"Person {n}", emails=[f"p{n}@customer.test"])
        invitation = Invitation.objects.create(campaign=campaign, customer=person, email=f"p{n}@customer.test")
        service.record_answers(invitation, [text, "", ""])
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/voice/interviews/{campaign.pk}/themes/")
    page.get_by_role("button", name="Group answers into themes").click()
    expect(page.get_by_text("Grouped into 2 themes.")).to_be_visible()
    for text in texts:
        expect(page.get_by_text(text)).to_be_visible()
    theme = InterviewTheme.objects.get(campaign=campaign, answers__text=texts[0])
    section = page.locator(f"#theme-{theme.pk}")
    section.get_by_label("Name").fill("Fast refunds")
    section.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", name="Fast refunds")).to_be_visible()
    assert InterviewTheme.objects.get(pk=theme.pk).name == "Fast refunds"
