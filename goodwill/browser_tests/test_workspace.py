"""The agent workspace in a real browser: reply, note, assign, solve, search, presence, guards."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    assign_conversation,
    open_conversation,
    receive_message,
    set_priority,
)

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

    _save_once(page, assign)
    expect(page.locator("#properties")).not_to_contain_text("Not saved")
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == teammate.pk

    _save_once(page, lambda: _status_select(page).select_option("solved"))
    assert Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.SOLVED
    page.reload()
    expect(_status_select(page)).to_have_value("solved")


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
    # Nothing is waiting to go out: no undo countdown, the button is usable, the text is kept.
    expect(tess.locator("#undo-bar")).to_be_hidden()
    expect(tess.get_by_role("button", name="Send reply")).to_be_enabled()
    expect(tess.get_by_label("Message")).to_have_value("I can send a new lid right away.")
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


def _status_select(page):  # type: ignore[no-untyped-def]
    return page.locator("#properties").get_by_role("combobox", name=re.compile("^Status"))


def _properties_saved(response) -> bool:  # type: ignore[no-untyped-def]
    return response.request.method == "POST" and response.url.endswith("/properties")


def _until(page, condition, timeout_ms: int = 15_000) -> None:  # type: ignore[no-untyped-def]
    """Wait for a condition on the test's side (e.g. a request the test intercepted). Playwright
    delivers events only while it is called, so the wait hands it control in short slices."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(50)


def _save_once(page, edit, *, status: int = 200):  # type: ignore[no-untyped-def]
    """Make an edit in the properties panel; exactly one save goes out and answers `status`.

    Waits on conditions only: the save's answer, then the panel no longer busy (its answer
    is shown and no other save follows)."""
    answered = []

    def note(response) -> None:  # type: ignore[no-untyped-def]
        if _properties_saved(response):
            answered.append(response.status)

    page.on("response", note)
    try:
        with page.expect_response(_properties_saved) as saved:
            edit()
        expect(page.locator("#properties form")).not_to_have_attribute("aria-busy", "true")
    finally:
        page.remove_listener("response", note)
    assert saved.value.status == status
    assert answered == [status]
    return saved.value


def test_assignment_made_elsewhere_shows_up_without_a_reload(new_page, agent, teammate, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    assignee = page.locator("#properties").get_by_label("Assignee")
    expect(assignee).to_have_value("")

    assign_conversation(conversation, to=teammate, by=teammate)

    expect(page.locator("#properties").get_by_label("Assignee")).to_have_value(
        "tess@example.com", timeout=15_000
    )


def test_a_live_refresh_arriving_during_an_edit_neither_swallows_nor_overwrites_it(
    new_page, agent, teammate, conversation
):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    held = []
    page.route(re.compile(r"/c/\d+/\?partial=properties$"), lambda route: held.append(route))

    # Another agent raises the priority: the live check announces it and the panel asks for a
    # refresh, which is held back here so that it is still in flight during Sam's edit.
    set_priority(conversation, Conversation.Priority.HIGH, by=teammate)
    _until(page, lambda: len(held) >= 1)
    _save_once(page, lambda: _status_select(page).select_option("pending"))
    for route in held:
        route.continue_()

    stored = Conversation.objects.get(pk=conversation.pk)
    assert stored.status == Conversation.Status.PENDING
    assert stored.priority == Conversation.Priority.HIGH
    expect(_status_select(page)).to_have_value("pending")
    priority = page.locator("#properties").get_by_role("combobox", name=re.compile("^Priority"))
    expect(priority).to_have_value(str(Conversation.Priority.HIGH))
    page.unroute(re.compile(r"/c/\d+/\?partial=properties$"))

    # A refresh that lands while Sam is typing waits; the typed value is saved once he leaves.
    tags = page.locator("#properties").get_by_label("Tags")
    tags.fill("lid, broken")
    assign_conversation(conversation, to=teammate, by=teammate)
    expect(tags).to_have_value("lid, broken")
    _save_once(page, lambda: tags.press("Tab"))
    assert sorted(Conversation.objects.get(pk=conversation.pk).tags.values_list("name", flat=True)) == [
        "broken",
        "lid",
    ]
    expect(page.locator("#properties").get_by_label("Assignee")).to_have_value("tess@example.com")
    expect(page.locator("#properties").get_by_label("Tags")).to_have_value("broken, lid")


def test_an_edit_made_right_after_a_refresh_is_saved(new_page, agent, teammate, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    held = []
    page.route(re.compile(r"/c/\d+/\?partial=properties$"), lambda route: held.append(route))
    set_priority(conversation, Conversation.Priority.URGENT, by=teammate)
    _until(page, lambda: len(held) >= 1)
    # The refresh answer and the edit race each other: the edit must be saved either way.
    held[0].continue_()
    _save_once(page, lambda: _status_select(page).select_option("on_hold"))
    stored = Conversation.objects.get(pk=conversation.pk)
    assert (stored.status, stored.priority) == (Conversation.Status.ON_HOLD, Conversation.Priority.URGENT)


def test_a_change_someone_else_made_meanwhile_is_shown_not_overwritten(
    new_page, agent, teammate, conversation
):
    page = new_page("sam@example.com", "pw-sam-123")
    _open_conversation(page, conversation)
    # Keep Sam's panel showing the old status, as if the live check had not come round yet.
    page.route(re.compile(r"/c/\d+/\?partial=properties$"), lambda route: route.abort())
    page.route(re.compile(r"/live/"), lambda route: route.abort())
    from goodwill.conversations.services import change_status

    change_status(conversation, Conversation.Status.PENDING, by=teammate)
    _save_once(page, lambda: _status_select(page).select_option("solved"), status=409)

    assert Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.PENDING
    alert = page.locator("#properties").get_by_role("alert")
    expect(alert).to_contain_text("Tess Teammate changed it to “Pending” meanwhile")
    expect(_status_select(page)).to_have_value("pending")
