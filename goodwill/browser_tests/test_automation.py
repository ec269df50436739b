"""An admin builds a rule in a real browser, tests it, switches it on, and sees it act."""

from __future__ import annotations

import re

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from goodwill.automation.models import Rule
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.events import run_subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_worker_tasks() -> None:
    """What `goodwill worker` would do with the seam's queued tasks (and those they queue)."""
    for _round in range(10):
        tasks = list(DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by("enqueued_at"))
        if not tasks:
            return
        DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
        for task in tasks:
            run_subscriber.call(*task.args_kwargs["args"])


def test_an_admin_builds_a_rule_tests_it_and_sees_it_act_on_a_new_conversation(new_page, admin, customer):
    past = open_conversation(customer=customer, subject="Broken kettle", channel="email", text="I want a refund")[0]
    run_worker_tasks()
    page = new_page("ada@example.com", "pw-ada-123")
    page.get_by_role("link", name="Automation").click()
    page.get_by_role("link", name="New rule").click()

    page.get_by_label("Name").fill("Refunds are urgent")
    page.get_by_label("A conversation is created").check()
    page.get_by_label("Condition 1", exact=True).select_option(label="Latest customer message")
    page.get_by_label("Test 1", exact=True).select_option(label="contains")
    page.get_by_label("Value 1", exact=True).fill("refund")
    page.get_by_label("Action 1", exact=True).select_option(label="Set priority")
    page.get_by_label("Action value 1", exact=True).fill("4")
    page.get_by_role("button", name="Add an action").click()
    expect(page.get_by_label("Value 1", exact=True)).to_have_value("refund")  # the typed rows are kept
    page.get_by_label("Action 2", exact=True).select_option(label="Add tags")
    page.get_by_label("Action value 2", exact=True).fill("refund")

    # What would this do? Against the past conversation, before switching it on.
    page.get_by_label("Conversation number").fill(str(past.number))
    page.get_by_role("button", name="Test rule").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text("the rule would act")
    expect(result).to_contain_text("Set priority: 4")
    assert not Rule.objects.exists()

    page.get_by_label("Switched on").check()
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("heading", name="Rule: Refunds are urgent")).to_be_visible()
    rule = Rule.objects.get()
    assert rule.is_active and rule.actions == [{"type": "set_priority", "value": "4"}, {"type": "add_tags", "value": "refund"}]

    fresh = open_conversation(customer=customer, subject="Toaster", channel="email", text="Refund please, it burns")[0]
    run_worker_tasks()
    fresh.refresh_from_db()
    assert fresh.priority == Conversation.Priority.URGENT
    page.goto(f"/c/{fresh.number}/")
    panel = page.get_by_role("region", name="Automation")
    expect(panel).to_contain_text("Refunds are urgent")
    expect(panel).to_contain_text("Add tags: refund")
    expect(page.locator("body")).to_contain_text(re.compile("refund"))
