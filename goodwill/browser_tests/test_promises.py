"""The promise ledger in a real browser: a promise in a draft is confirmed, shows in the sidebar,
and once its due time has passed (the worker's sweep run with a later clock) in "Promises due"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.periodic import run_job
from goodwill.promises.models import Promise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Wobbly bike wheel",
        channel="email",
        text="Hello, the front wheel of my new bike wobbles. What can you do?",
        team=support_team,
    )[0]


def test_a_promise_drafted_confirmed_and_due(new_page, agent, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}")
    page.get_by_label("Message").fill(
        "Hi Carla,\n\nThanks for the photos. I'll call you back tomorrow to book the repair.\n\nSam"
    )
    check = page.locator("#draft-checks")
    expect(check).to_contain_text("Promises in this reply")
    expect(check).to_contain_text("I'll call you back tomorrow")
    check.get_by_role("button", name="Confirm promise").click()

    sidebar = page.locator("#promises-panel")
    expect(sidebar).to_contain_text("I'll call you back tomorrow")
    expect(check).not_to_contain_text("Promises in this reply")  # the composer no longer offers it
    promise = Promise.objects.get()
    assert (promise.owner_id, promise.conversation_id, promise.state) == (agent.pk, conversation.pk, "open")
    assert promise.due_at is not None

    run_job("promises.sweep", promise.due_at + timedelta(minutes=1))  # the clock moves past the due time

    page.goto("/?view=promises_due")
    row = page.get_by_role("link", name=re.compile("Wobbly bike wheel"))
    expect(row).to_be_visible()
    expect(page.locator(".badge-promise-due").first).to_be_visible()
    row.click()
    expect(page.locator("#promises-panel")).to_contain_text("Due — not kept yet")

    panel = page.locator("#promises-panel")
    panel.get_by_label("How did it end?").select_option("kept")
    panel.get_by_role("button", name="Close promise").click()
    # the real clock is still before the due day: kept early, the essays' under-promise-over-deliver
    expect(panel).to_contain_text("Kept early — under-promised, over-delivered")
    assert Promise.objects.get().outcome == Promise.Outcome.KEPT_EARLY
