"""The web form in a real browser: embedded in another site's page, on a 320 px phone, refused where not allowed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from goodwill.browser_tests.conftest import TIMEOUT_MS
from goodwill.channels.webform.models import Submission, WebForm, WebFormField
from goodwill.conversations.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _site(body: str) -> tuple[ThreadingHTTPServer, str]:
    """Another origin: a tiny web server on 127.0.0.1 that serves one page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def shop(live_server, settings, support_team) -> Iterator[tuple[str, WebForm]]:  # type: ignore[no-untyped-def]
    settings.BASE_URL = live_server.url
    settings.WEBFORM_MIN_FILL_SECONDS = 0
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Fjord Shop</title></head><body>"
        "<h1>Fjord Shop: contact</h1><div data-goodwill-form-target=contact></div>"
        f'<script src="{live_server.url}/forms/contact/embed.js" async></script></body></html>'
    )
    server, origin = _site(page)
    form = WebForm.objects.create(
        name="Contact", slug="contact", title="Write to Fjord support", team=support_team, allowed_origins=origin
    )
    WebFormField.objects.create(form=form, key="order_number", label="Order number", required=True)
    yield origin, form
    server.shutdown()


@pytest.fixture
def context(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 320, "height": 700})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def test_a_visitor_sends_the_form_embedded_in_another_site(context, shop) -> None:  # type: ignore[no-untyped-def]
    origin, _form = shop
    page = context.new_page()
    page.goto(origin + "/")
    form = page.frame_locator('iframe[title="Write to Fjord support"]')
    form.get_by_label("Your email address").fill("maria@customer.test")
    form.get_by_label("Subject").fill("Parcel never came")
    form.get_by_role("button", name="Send").click()
    # The order number is required: the page says so and keeps what was typed.
    expect(form.locator("#id_x_order_number_error")).to_have_text("This field is required.")
    expect(form.get_by_label("Subject")).to_have_value("Parcel never came")
    form.get_by_label("Order number").fill("A-1042")
    form.get_by_label("How can we help?").fill("It was due on Monday.")
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("status")).to_contain_text("Your request has reached us")
    submission = Submission.objects.get()
    assert submission.origin == origin
    conversation = Conversation.objects.get()
    assert conversation.channel == "webform" and "Order number: A-1042" in conversation.messages.get().text
    # The iframe grew with its content (the form reports its height to the embed script).
    height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    assert height >= 200


def test_a_site_that_is_not_allowed_cannot_frame_the_form(context, shop, live_server) -> None:  # type: ignore[no-untyped-def]
    _origin, form = shop
    form.allowed_origins = "https://elsewhere.example"
    form.save()
    page = context.new_page()
    page.goto(_origin + "/")
    frame_element = page.wait_for_selector("iframe", state="attached")
    frame = frame_element.content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    assert frame.query_selector("form") is None, "the browser refused to show the form in this frame"


def test_the_form_fits_a_320_px_phone_without_javascript(browser, live_server, shop) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/forms/contact/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "no sideways scrolling at 320 px"
    page.get_by_label("Your email address").fill("ola@customer.test")
    page.get_by_label("Subject").fill("Invoice")
    page.get_by_label("Order number").fill("A-7")
    page.get_by_label("How can we help?").fill("Please send the invoice again.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("Your request has reached us")
    assert Conversation.objects.filter(subject="Invoice", channel="webform").exists()
    context.close()
