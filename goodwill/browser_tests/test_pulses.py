"""Answering an NPS survey from the email link, in a real browser on a phone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.voice import pulses
from goodwill.voice.models import Pulse, SurveyPolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_answers_the_nps_survey_from_the_email(
    browser, live_server, settings, customer, support_team
):
    settings.BASE_URL = live_server.url
    with subscribed({}):
        open_conversation(
            customer=customer, subject="Hello", text="A question", channel="email", team=support_team
        )
    SurveyPolicy.objects.create(team=support_team, nps_every_months=3)
    assert pulses.run(timezone.now()) == "1 NPS planned, 1 NPS/CES mailed, 0 skipped"
    link = re.search(r"(http\S+/pulse/\S+\?score=9)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body

    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(link.group(1))
    expect(page.get_by_role("status")).to_contain_text("your answer is saved")
    expect(page.get_by_role("radio", name="9", exact=True)).to_be_checked()
    page.get_by_role("radio", name="10", exact=True).check()
    page.get_by_label("Anything you would like to add? (optional)").fill("Quick and kind.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    pulse = Pulse.objects.get()
    assert (pulse.kind, pulse.score, pulse.comment, pulse.closed_at is not None) == (
        "nps",
        10,
        "Quick and kind.",
        True,
    )
    page.goto(link.group(1))  # the link again: closed, nothing changes
    expect(page.get_by_role("status")).to_contain_text("we have your answer already")
    assert Pulse.objects.get().score == 10
    context.close()
