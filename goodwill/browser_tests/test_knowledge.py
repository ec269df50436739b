"""The knowledge base in a real browser: a prepared answer into the composer in one click,
and an article found from the portal while the customer types a new request."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import expect

from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.conversations.models import ContactReason, Conversation, Macro
from goodwill.conversations.services import open_conversation, update_properties
from goodwill.core.events import subscribed
from goodwill.customers.models import Customer
from goodwill.knowledge.models import Article, PreparedAnswerUse, SuggestionOpen
from goodwill.knowledge.services import save_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def returns(agent) -> ContactReason:  # type: ignore[no-untyped-def]
    need = ContactReason.objects.create(name="Return")
    Macro.objects.create(name="Return label", text="Here is your prepared return label.", need=need)
    save_article(
        {
            "title": "How to return an item",
            "body": "Returns are free within **60 days**: print the label and drop the parcel at a post office.",
            "status": Article.Status.PUBLISHED,
            "visibility": Article.Visibility.PUBLIC,
            "needs": [need],
        },
        by=agent,
    )
    return need


def test_an_agent_inserts_a_prepared_answer_in_one_click(
    new_page, agent, customer, returns, settings, live_server
):
    settings.BASE_URL = live_server.url
    with subscribed({}):
        conversation, _ = open_conversation(
            customer=customer, subject="Sending shoes back", channel="email", text="How do I return my shoes?"
        )
        update_properties(conversation, {"need": returns}, by=agent)
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    panel = page.get_by_role("region", name=re.compile("Prepared answers for Return"))
    expect(panel).to_be_visible()
    draft = page.get_by_label("Message")
    draft.fill("Hi Carla,")

    with page.expect_response(lambda response: "/use" in response.url and response.status == 204):
        panel.get_by_role("button", name="Insert link to How to return an item").click()
    expect(draft).to_have_value(
        re.compile(r"^Hi Carla,\n\nHow to return an item: http://.+/help/a/\d+/how-to-return-an-item/$")
    )

    with page.expect_response(lambda response: "/use" in response.url and response.status == 204):
        panel.get_by_role("button", name="Insert macro Return label").click()
    expect(draft).to_have_value(re.compile(r"Here is your prepared return label\.$"))

    uses = list(PreparedAnswerUse.objects.order_by("id").values_list("how", "need_id", "agent_id"))
    assert uses == [("link", returns.pk, agent.pk), ("macro", returns.pk, agent.pk)]


@pytest.fixture
def portal_page(browser, live_server, settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    settings.BASE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.route("**/*", lambda route: route.abort())
    context.close()


def test_a_customer_finds_an_article_while_typing_a_request(portal_page, customer: Customer, returns) -> None:  # type: ignore[no-untyped-def]
    page = portal_page
    page.goto("/portal/")
    page.get_by_label("Your email address").fill("carla@customer.test")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    link = re.search(r"https?://\S+/portal/sign-in/[^/\s]+/", mail.outbox[-1].body)
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()

    page.get_by_label("Subject").fill("Return")
    page.get_by_label("How can we help?").press_sequentially("I want to send back the parcel", delay=20)
    suggestions = page.get_by_role("region", name="These articles may answer your question")
    expect(suggestions).to_be_visible()
    with page.context.expect_page() as opened:
        suggestions.get_by_role("link", name="How to return an item").click()
    article = opened.value
    expect(article.get_by_role("heading", name="How to return an item")).to_be_visible()
    expect(article.get_by_text("60 days")).to_be_visible()
    assert list(SuggestionOpen.objects.values_list("source", flat=True)) == ["portal"]
    # The need was met without a conversation.
    assert not Conversation.objects.filter(customer=customer).exists()


@pytest.mark.parametrize("scripts", [True, False], ids=["with-scripts", "without-scripts"])
def test_the_help_centre_is_searchable_with_or_without_scripts_under_the_policy(  # type: ignore[no-untyped-def]
    browser, live_server, agent, returns, scripts
) -> None:
    from goodwill.browser_tests.test_csp import RECORD_VIOLATIONS, Watcher

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=scripts, viewport={"width": 360, "height": 740}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    watcher = Watcher()
    watcher.attach(page)
    try:
        page.goto("/help/")
        expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
        page.get_by_role("searchbox", name="Search the help centre").fill("return label")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name=re.compile("Results for"))).to_be_visible()
        page.get_by_role("link", name="How to return an item").click()
        expect(page.get_by_role("heading", name="How to return an item")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth") if scripts else 0
        assert width <= 360
        if scripts:
            assert watcher.problems(page) == []
    finally:
        context.route("**/*", lambda route: route.abort())
        context.close()
