"""Customer memory in a real browser: "remember this" from a message, and the greeting hint."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import update_customer
from goodwill.memory.models import Fact
from goodwill.memory.services import add_fact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Dress for a wedding",
        channel="email",
        text="Hello! My daughter Lucy gets married on 12 May and the dress has not arrived.",
        team=support_team,
    )[0]


def _select_in_message(page, message_id: int, words: str) -> None:  # type: ignore[no-untyped-def]
    """Select `words` inside the message's body, as a mouse drag would."""
    page.evaluate(
        """([id, words]) => {
            const body = document.querySelector(`#m${id} .msg-body`);
            const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const start = node.data.indexOf(words);
                if (start >= 0) {
                    const range = document.createRange();
                    range.setStart(node, start);
                    range.setEnd(node, start + words.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("words not found");
        }""",
        [message_id, words],
    )


def test_an_agent_selects_words_in_a_message_and_remembers_them(new_page, agent, customer, conversation):
    message = conversation.messages.get()
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    _select_in_message(page, message.pk, "My daughter Lucy gets married on 12 May")
    page.get_by_role("button", name="Remember this").click()  # first click
    form = page.locator("#fact-form")
    expect(form).to_have_attribute("data-suggested", "1")
    expect(page.get_by_label("Category")).to_have_value("date")
    expect(page.get_by_label("What you learned")).to_have_value("My daughter Lucy gets married on 12 May")
    page.get_by_role("button", name="Save fact").click()  # second click
    sidebar = page.locator("#memory-facts")
    expect(sidebar).to_contain_text("My daughter Lucy gets married on 12 May")
    fact = Fact.objects.get()
    assert (fact.category, fact.source_message_id, fact.learned_by_id) == ("date", message.pk, agent.pk)
    assert (fact.date.month, fact.date.day) == (5, 12)


def test_the_greeting_hint_greets_the_customer_as_a_person(new_page, agent, customer, conversation):
    update_customer(customer, by=agent, preferred_name="Carly", pronunciation="KAR-lee")
    add_fact(customer, category="accessibility", text="Hard of hearing: prefers email", by=agent)
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    hint = page.get_by_role("note", name="Greeting hint")
    expect(hint).to_contain_text("prefers “Carly”")
    expect(hint).to_contain_text("KAR-lee")
    expect(hint).to_contain_text("Hard of hearing: prefers email")
    # It sits just above the composer.
    assert page.evaluate(
        "() => document.querySelector('.greeting-hint').compareDocumentPosition(document.getElementById('composer-form'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
