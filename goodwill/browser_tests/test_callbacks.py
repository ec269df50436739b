"""Scheduling a call-back in a real browser, then finding it under "Call-backs due" and keeping it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from goodwill.callbacks.models import CallBack
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import open_conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer, subject="Boiler makes a noise", channel="email", team=support_team,
        text="Could someone call me about the boiler?",
    )[0]


def test_an_agent_schedules_a_call_back_and_keeps_it(new_page, agent, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    panel = page.get_by_role("region", name="Call-backs")
    panel.get_by_text("Schedule a call-back").click()
    when = (timezone.now() + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M")  # the agent's zone is UTC
    panel.get_by_label("When").fill(when)
    panel.get_by_label("Number").fill("+44 20 7946 0000")
    panel.get_by_label("Note (optional)").fill("Ask about the pressure")
    panel.get_by_role("button", name="Schedule call-back").click()
    expect(page.get_by_role("region", name="Call-backs")).to_contain_text("To call: +44 20 7946 0000")

    page.goto("/?view=callbacks")
    row = page.get_by_role("link", name="Boiler makes a noise")
    expect(row).to_be_visible()
    row.first.click()

    panel = page.get_by_role("region", name="Call-backs")
    panel.get_by_text("Log the call").click()
    panel.get_by_label("What was said").fill("Talked it through; pressure was low, now fixed.")
    panel.get_by_role("button", name="Log call and close").click()
    expect(page.get_by_role("region", name="Call-backs")).to_contain_text("Called: +44 20 7946 0000")
    assert CallBack.objects.get().state == CallBack.State.DONE
    assert conversation.messages.filter(kind=Message.Kind.PHONE, text__contains="pressure was low").exists()
