"""Service recovery in a real browser: open a case by hand on a conversation, tick a step, close
it with a result, and find it on the recovery queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.recovery.models import RecoveryCase

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(customer, support_team, agent) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Wrong sofa delivered",
        channel="email",
        team=support_team,
        text="You delivered the wrong sofa, again.",
    )[0]


def test_an_agent_opens_works_and_closes_a_recovery_case(new_page, agent, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    panel = page.get_by_role("region", name="Recovery")
    panel.get_by_text("Open a recovery case").click()
    panel.get_by_label("What went wrong").fill("Second wrong delivery")
    panel.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", name="Second wrong delivery")).to_be_visible()

    page.goto("/recovery/")
    expect(page.get_by_role("link", name="Second wrong delivery")).to_be_visible()
    page.get_by_role("link", name="Second wrong delivery").click()

    first_step = page.locator(".recovery-step").first
    first_step.get_by_label("Note").fill("Called and apologised")
    first_step.get_by_role("button", name="Done: Acknowledge what went wrong and apologise").click()
    expect(page.locator(".recovery-step").first).to_contain_text("Called and apologised")
    gesture = page.locator(".recovery-step", has_text="Offer a goodwill gesture")
    gesture.get_by_label("Cost").fill("40")
    gesture.get_by_role("button", name="Done: Offer a goodwill gesture").click()
    expect(page.get_by_text("Goodwill gestures cost")).to_be_visible()
    expect(page.locator(".properties")).to_contain_text("40.00")

    page.get_by_label("Recovered", exact=True).check()
    page.get_by_label("What the customer did").fill("Ordered a new sofa")
    page.get_by_role("button", name="Close case").click()
    expect(page.locator("#case-status")).to_have_text("Closed: Recovered")

    page.goto("/recovery/")
    closed = page.get_by_role("region", name="Recently closed")
    expect(closed).to_contain_text("Second wrong delivery")
    case = RecoveryCase.objects.get()
    assert (case.status, case.result, case.trigger) == ("closed", "recovered", "manual")
