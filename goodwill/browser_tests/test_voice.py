"""Answering a two-axis survey from the email link, in a real browser on a phone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.conversations.services import assign_conversation, change_status, open_conversation
from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.voice import services
from goodwill.voice.models import Survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_answers_the_survey_from_the_email(browser, live_server, settings, customer, agent, support_team):
    settings.BASE_URL = live_server.url
    with subscribed({}):
        conversation = open_conversation(
            customer=customer, subject="Lost parcel", text="Where is it?", channel="email", team=support_team
        )[0]
        assign_conversation(conversation, to=agent, by=agent)
        change_status(conversation, "solved", by=agent)
    services.plan_survey(Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk"))
    services.send_due_surveys(Survey.objects.get().send_after)
    link = re.search(r"(http\S+/feedback/\S+\?outcome=partly)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body

    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(link.group(1))
    expect(page.get_by_role("status")).to_contain_text("your answer is saved")
    expect(page.get_by_role("radio", name="Partly")).to_be_checked()
    page.get_by_role("radio", name="4").check()
    page.get_by_label("Anything you would like to add? (optional)").fill("Friendly, but the parcel is still lost.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    survey = Survey.objects.get()
    assert (survey.outcome, survey.conduct, survey.closed_at is not None) == ("partly", 4, True)
    assert "still lost" in survey.comment
    context.close()


def test_shipping_an_improvement_tells_two_customers_exactly_once(new_page, agent, customer):
    from goodwill.conversations.models import Message
    from goodwill.customers.services import create_customer
    from goodwill.voice import improvements as service

    with subscribed({}):
        first = open_conversation(customer=customer, subject="Late again", text="Unacceptable!", channel="email")[0]
        other = create_customer(name="Dev Patel", emails=["dev@customer.test"])
        second = open_conversation(customer=other, subject="Still late", text="Fed up", channel="email")[0]
    improvement = service.create_improvement(title="Same-day dispatch", by=agent)
    for conversation in (first, second):
        service.link_improvement(service.mark_complaint(conversation, by=agent), improvement, by=agent)

    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/voice/improvements/{improvement.pk}/")
    page.get_by_label("Status").select_option("shipped")
    page.get_by_label("What customers are told when it ships").fill("Every order now leaves the same day.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("2 customers told.")).to_be_visible()
    page.get_by_role("button", name="Save").click()  # saving again tells nobody twice
    expect(page.get_by_text("Saved.")).to_be_visible()
    for conversation in (first, second):
        replies = conversation.messages.filter(direction=Message.Direction.OUTBOUND)
        assert [m.text for m in replies] == ["Every order now leaves the same day."]
