"""The agent workspace in a real browser: reply, note, assign, solve, search, presence, guards."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import assign_conversation, open_conversation, receive_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEND_WAIT_MS = 20_000  # the composer waits a few seconds for "Undo" before it sends


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Cracked teapot lid",
        channel="email",
        text="Hello, the lid of my teapot arrived cracked. Can you help?",
        team=support_team,
    )[0]


def _open_conversation(page, conversation: Conversation) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.get_by_role("navigation", name="Inbox views").get_by_role("link", name="All open").click()
    page.get_by_role("link", name=re.compile(conversation.subject)).first.click()
    expect(page.get_by_role("heading", name=re.compile(conversation.subject))).to_be_visible()


def _send(page, text: str, *, button: str = "Send reply") -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name=button).click()


def test_an_agent_replies_notes_assigns_and_solves(new_page, agent, teammate, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)

    _send(page, "Sorry about that! A new lid is on its way today.")
    expect(page.locator("#timeline")).to_contain_text("A new lid is on its way today.", timeout=SEND_WAIT_MS)
    page.reload()
    expect(page.locator("#timeline")).to_contain_text("A new lid is on its way today.")

    page.get_by_label("Internal note").check()
    _send(page, "Checked the warehouse: lids are packed badly.", button="Add note")
    expect(page.locator("#timeline")).to_contain_text("lids are packed badly", timeout=SEND_WAIT_MS)
    assert conversation.messages.filter(kind=Message.Kind.NOTE, text__contains="packed badly").exists()

    def assign() -> None:
        assignee = page.get_by_label("Assignee")
        assignee.fill("tess@example.com")
        assignee.press("Tab")

    assert _save_properties(
        page, assign, lambda: Conversation.objects.get(pk=conversation.pk).assignee_id == teammate.pk
    )
    expect(page.locator("#properties")).not_to_contain_text("Not saved")
    _wait_for(lambda: Conversation.objects.get(pk=conversation.pk).assignee_id == teammate.pk)

    def solve() -> None:
        page.locator("#properties").get_by_role("combobox", name=re.compile("^Status")).select_option(
            "solved"
        )

    assert _save_properties(
        page, solve, lambda: Conversation.objects.get(pk=conversation.pk).status == "solved"
    )
    _wait_for(lambda: Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.SOLVED)
    page.reload()
    expect(page.locator("#properties").get_by_role("combobox", name=re.compile("^Status"))).to_have_value(
        "solved"
    )


def test_search_finds_a_phrase_just_sent(new_page, agent, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    _send(page, "Your replacement lid ships with tracking number ZX-4417 tomorrow morning.")
    expect(page.locator("#timeline")).to_contain_text("ZX-4417", timeout=SEND_WAIT_MS)

    search = page.get_by_role("searchbox", name="Search conversations")
    search.fill('"ships with tracking number"')
    search.press("Enter")

    results = page.locator("#search-results")
    expect(results.get_by_role("heading", name="Messages")).to_be_visible()
    expect(results).to_contain_text("ZX-4417")
    expect(results.locator("mark").first).to_be_visible()
    results.get_by_role("link", name=re.compile("Cracked teapot lid")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Cracked teapot lid"))).to_be_visible()


def test_a_second_agent_sees_presence_and_is_warned_before_replying(new_page, agent, teammate, conversation):
    sam = new_page("sam@example.com", "pw-sam-123")
    tess = new_page("tess@example.com", "pw-tess-123")
    _open_conversation(sam, conversation)
    _open_conversation(tess, conversation)

    expect(tess.get_by_role("status").filter(has_text="Sam Agent")).to_be_visible()
    expect(sam.get_by_role("status").filter(has_text="Tess Teammate")).to_be_visible()

    sam.get_by_label("Message").fill("Let me check the stock for you…")
    warning = tess.get_by_role("alert").filter(has_text="Sam Agent is replying")
    expect(warning).to_be_visible()
    expect(tess.get_by_role("status").filter(has_text="replying")).to_be_visible()

    _send(tess, "I can send a new lid right away.")
    dialog = tess.get_by_role("dialog", name="Someone else is replying")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Sam Agent")
    dialog.get_by_role("button", name="Don't send yet").click()
    expect(dialog).to_be_hidden()
    tess.wait_for_timeout(1500)
    assert not conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()

    tess.get_by_role("button", name="Send reply").click()
    tess.get_by_role("dialog", name="Someone else is replying").get_by_role(
        "button", name="Send anyway"
    ).click()
    expect(tess.locator("#timeline")).to_contain_text(
        "I can send a new lid right away.", timeout=SEND_WAIT_MS
    )
    assert conversation.messages.filter(direction=Message.Direction.OUTBOUND, author_agent=teammate).exists()


def test_the_stale_draft_guard_fires_when_the_customer_writes_meanwhile(
    new_page, agent, customer, conversation
):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    page.get_by_label("Message").fill("Could you send a photo of the lid?")

    receive_message(conversation, customer=customer, text="Here is a photo of the cracked lid, attached.")
    # Live updates bring the new message into the timeline without a reload.
    expect(page.locator("#timeline")).to_contain_text("Here is a photo of the cracked lid", timeout=15_000)

    page.get_by_role("button", name="Send reply").click()
    guard = page.get_by_role("alert").filter(has_text="The customer wrote again while you were drafting")
    expect(guard).to_be_visible(timeout=SEND_WAIT_MS)
    expect(page.get_by_label("Message")).to_have_value("Could you send a photo of the lid?")
    assert not conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()


def _save_properties(page, edit, stored) -> bool:  # type: ignore[no-untyped-def]
    """Make an edit in the properties panel; True once its save answered OK (or is stored).

    The panel is refreshed live (every few seconds, and after each send). Under heavy CI load
    an edit once produced no save within 20 s (seen twice, never reproduced locally); waiting
    for the page to go quiet first and trying the same edit again keeps the test about what
    it checks (the save, the stored value, the value after reload) rather than about timing.
    """
    page.wait_for_load_state("networkidle")
    for attempt in range(3):
        try:
            with page.expect_response(_properties_saved, timeout=8000) as saved:
                edit()
            return saved.value.ok
        except PlaywrightTimeoutError:
            if stored():  # the save went through, its answer came late
                return True
            if attempt == 2:
                raise
            page.wait_for_load_state("networkidle")
    return False


def _properties_saved(response) -> bool:  # type: ignore[no-untyped-def]
    return response.request.method == "POST" and response.url.endswith("/properties")


def _wait_for(condition, seconds: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_assignment_made_elsewhere_shows_up_without_a_reload(new_page, agent, teammate, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    assignee = page.locator("#properties").get_by_label("Assignee")
    expect(assignee).to_have_value("")

    assign_conversation(conversation, to=teammate, by=teammate)

    expect(page.locator("#properties").get_by_label("Assignee")).to_have_value(
        "tess@example.com", timeout=15_000
    )
