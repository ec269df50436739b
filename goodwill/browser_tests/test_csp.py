"""The Content-Security-Policy in a real browser: every kind of page works and nothing is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from playwright.sync_api import expect

from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (and outside the page's CSP): collects what the policy blocked.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || ""));
});
"""


class Watcher:
    """Console messages and securitypolicyviolation events of one browser context."""

    def __init__(self) -> None:
        self.console: list[str] = []

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on("console", lambda message: self.console.append(message.text))

    def problems(self, page) -> list[str]:  # type: ignore[no-untyped-def]
        refused = [text for text in self.console if "Refused to" in text or "Content Security Policy" in text]
        return refused + list(page.evaluate("window.__cspViolations || []"))


@pytest.fixture
def watched(browser, live_server) -> Iterator[tuple[object, Watcher]]:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    watcher = Watcher()
    page = context.new_page()
    watcher.attach(page)
    yield page, watcher
    context.route("**/*", lambda route: route.abort())
    context.close()


def _sign_in(page, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_workspace_runs_under_the_policy(watched, agent, teammate, customer, support_team) -> None:  # type: ignore[no-untyped-def]
    page, watcher = watched
    conversation = open_conversation(
        customer=customer,
        subject="Cracked teapot lid",
        channel="email",
        text="The lid is cracked.",
        team=support_team,
    )[0]
    _sign_in(page, "sam@example.com", "pw-sam-123")
    page.goto("/?view=open")
    expect(page.get_by_role("link", name=re.compile("Cracked teapot lid")).first).to_be_visible()
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False

    page.get_by_role("link", name=re.compile("Cracked teapot lid")).first.click()
    expect(page.get_by_role("heading", name=re.compile("Cracked teapot lid"))).to_be_visible()
    page.wait_for_load_state("networkidle")
    # An htmx request driven by the page's own scripts: the properties panel saves on change.
    with page.expect_response(lambda r: "/properties" in r.url and r.request.method == "POST") as saved:
        page.locator("#properties").get_by_role("combobox", name=re.compile("^Status")).select_option(
            "pending"
        )
    assert saved.value.ok
    expect(page.locator("#properties").get_by_role("combobox", name=re.compile("^Status"))).to_have_value(
        "pending"
    )
    assert Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.PENDING

    page.get_by_role("searchbox", name="Search conversations").fill("teapot")
    page.get_by_role("searchbox", name="Search conversations").press("Enter")
    expect(page.locator("#search-results")).to_contain_text("teapot")
    assert watcher.problems(page) == []


def test_the_portal_runs_under_the_policy(watched, customer, settings, live_server) -> None:  # type: ignore[no-untyped-def]
    page, watcher = watched
    settings.BASE_URL = live_server.url
    page.goto("/portal/")
    page.get_by_label("Your email address").fill("carla@customer.test")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    link = re.search(r"https?://\S+/portal/sign-in/[^/\s]+/", mail.outbox[-1].body)
    assert link
    page.goto(link.group(0))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="New request").click()
    page.get_by_label("Subject").fill("Kettle leaks")
    page.get_by_label("How can we help?").fill("Water comes out of the bottom.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Kettle leaks")).to_be_visible()
    assert watcher.problems(page) == []


def test_the_admin_runs_under_the_policy(watched, admin, agent) -> None:  # type: ignore[no-untyped-def]
    page, watcher = watched
    _sign_in(page, "ada@example.com", "pw-ada-123")
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/admin/accounts/agent/")
    expect(page.get_by_role("link", name="sam@example.com")).to_be_visible()
    page.get_by_role("link", name="sam@example.com").click()
    expect(page.locator("#content h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert watcher.problems(page) == []


def test_the_api_docs_render_from_our_own_copy_of_swagger_ui(watched, live_server) -> None:  # type: ignore[no-untyped-def]
    page, watcher = watched
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else foreign.append(request.url),
    )
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Goodwill API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert foreign == []
    assert watcher.problems(page) == []
