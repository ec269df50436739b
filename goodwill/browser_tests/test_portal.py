"""The portal in a real browser at phone width: magic-link sign-in, a new request, a reply, sign-out."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import expect

from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.conversations.models import Conversation, Message
from goodwill.customers.models import Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser, live_server, settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    settings.BASE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, timezone_id="Europe/Berlin")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _link_in_last_mail() -> str:
    match = re.search(r"https?://\S+/portal/sign-in/[^/\s]+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def _fits(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide at {PHONE['width']}px"


def test_a_customer_signs_in_asks_and_replies_on_a_phone(phone_page, customer: Customer) -> None:  # type: ignore[no-untyped-def]
    page = phone_page
    page.goto("/portal/")
    _fits(page)
    page.get_by_label("Your email address").fill("carla@customer.test")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(_link_in_last_mail())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    _fits(page)

    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    page.get_by_label("Subject").fill("Kettle leaks")
    page.get_by_label("How can we help?").fill("Water comes out of the bottom of my kettle.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Kettle leaks")).to_be_visible()
    _fits(page)

    page.get_by_label("Your reply").fill("It is the blue one, by the way.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("It is the blue one, by the way.")).to_be_visible()
    _fits(page)

    conversation = Conversation.objects.get(customer=customer, subject="Kettle leaks")
    assert conversation.channel == Conversation.Channel.PORTAL
    assert list(conversation.messages.values_list("direction", "channel")) == [
        (Message.Direction.INBOUND, "portal"),
        (Message.Direction.INBOUND, "portal"),
    ]

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Email me a sign-in link")).to_be_visible()
