"""htmx 2 swaps no 4xx answer by itself: the project-wide handler in htmx-csp.js swaps a refused
form's 422 HTML, so the agent sees the error beside what they typed (here: the promise panel)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.promises.models import Promise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Late parcel",
        channel="email",
        text="Where is my parcel?",
        team=support_team,
    )[0]


def test_a_422_form_error_is_shown_with_what_was_typed(new_page, agent, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}")
    panel = page.locator("#promises-panel")
    panel.get_by_text("Add a promise by hand").click()
    panel.get_by_label("What was promised").fill("   ")  # passes the browser's `required`, not the server
    panel.get_by_label("Due").fill("2026-12-24T10:00")
    with page.expect_response(lambda r: "/promises/" in r.url and r.request.method == "POST") as answer:
        panel.get_by_role("button", name="Add promise").click()
    assert answer.value.status == 422
    expect(panel).to_contain_text("Write what was promised.")
    expect(panel.get_by_label("Due")).to_have_value("2026-12-24T10:00")
    assert not Promise.objects.exists()
