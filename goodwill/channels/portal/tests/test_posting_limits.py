"""Portal posts over real HTTP: upload caps (413) and posting rate limits (429) keep the typed text.

The requests are hand-built multipart bodies sent to the live server, so Django's own
parser and upload handlers run exactly as they do for a browser.
"""

from __future__ import annotations

import html
import http.client
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache

from goodwill.channels.portal.services import POSTS_PER_CUSTOMER, POSTS_PER_IP, SESSION_KEY
from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.conversations.services import open_conversation
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer

pytestmark = pytest.mark.django_db(transaction=True)

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _fresh_counters():  # type: ignore[no-untyped-def]
    """Rate-limit counters live in the cache, which a transactional test does not empty."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Answer:
    status: int
    body: str

    @property
    def text(self) -> str:
        return html.unescape(self.body)


@dataclass
class PortalBrowser:
    """Speaks HTTP/1.1 to the live server with one customer's session cookie."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def _connection(self) -> http.client.HTTPConnection:
        parsed = urlparse(self.base)
        return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str) -> Answer:
        connection = self._connection()
        connection.request("GET", path, headers={"Cookie": self._cookie_header()})
        response = connection.getresponse()
        self._keep_cookies(response)
        answer = Answer(response.status, response.read().decode())
        connection.close()
        return answer

    def post(self, path: str, fields: dict[str, str], files: list[tuple[str, bytes]] = ()) -> Answer:  # type: ignore[assignment]
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, page.body[:500]
        boundary = f"----goodwill{secrets.token_hex(8)}"
        chunks: list[bytes] = []
        for name, value in {"csrfmiddlewaretoken": token.group(1), **fields}.items():
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for filename, content in files:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        chunks.append(f"--{boundary}--\r\n".encode())
        body = b"".join(chunks)
        connection = self._connection()
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(body)),
                "Cookie": self._cookie_header(),
                "Referer": f"{self.base}{path}",
            },
        )
        response = connection.getresponse()
        self._keep_cookies(response)
        answer = Answer(response.status, response.read().decode())
        connection.close()
        return answer


def signed_in_browser(live_server, customer: Customer) -> PortalBrowser:  # type: ignore[no-untyped-def]
    session = SessionStore()
    session[SESSION_KEY] = customer.pk
    session.save()
    return PortalBrowser(live_server.url, {"sessionid": session.session_key or ""})


@pytest.fixture
def carla(live_server, customer: Customer) -> PortalBrowser:  # type: ignore[no-untyped-def]
    return signed_in_browser(live_server, customer)


@pytest.fixture
def kettle(customer: Customer) -> Conversation:
    return open_conversation(customer=customer, subject="Kettle leaks", channel="portal", text="It leaks.")[0]


def test_a_reply_with_files_within_the_limits_is_stored(carla: PortalBrowser, kettle: Conversation) -> None:
    answer = carla.post(
        f"/portal/c/{kettle.number}/",
        {"text": "Photos attached."},
        [("front.jpg", b"\xff\xd8front" * 1000), ("back.jpg", b"\xff\xd8back" * 1000)],
    )
    assert answer.status == 302
    message = kettle.messages.get(text="Photos attached.")
    assert sorted(message.attachments.values_list("filename", flat=True)) == ["back.jpg", "front.jpg"]


def test_too_many_files_are_refused_with_413_and_the_text_kept(
    carla: PortalBrowser, kettle: Conversation
) -> None:
    files = [(f"scan-{number}.pdf", b"%PDF-1.4 tiny") for number in range(11)]
    answer = carla.post(f"/portal/c/{kettle.number}/", {"text": "Here are all my receipts."}, files)
    assert answer.status == 413
    assert "Here are all my receipts." in answer.text
    assert "too many files" in answer.text
    assert "up to 10 files" in answer.text
    assert not Message.objects.filter(text="Here are all my receipts.").exists()
    assert not Attachment.objects.exists()


def test_files_too_large_together_are_refused_with_413(carla: PortalBrowser, kettle: Conversation) -> None:
    """Two files under the 20 MB per-file cap but over the 25 MB total."""
    files = [("video-1.mp4", b"v" * (13 * MB)), ("video-2.mp4", b"w" * (13 * MB))]
    answer = carla.post(f"/portal/c/{kettle.number}/", {"text": "The kettle, filmed."}, files)
    assert answer.status == 413
    assert "The kettle, filmed." in answer.text
    assert "too large together" in answer.text
    assert not Attachment.objects.exists()


def test_one_file_over_the_per_file_cap_is_refused_on_a_new_request(
    carla: PortalBrowser, customer: Customer, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_FILE_BYTES = 1 * MB
    answer = carla.post(
        "/portal/new/",
        {"subject": "Broken lid", "text": "The lid snapped off."},
        [("lid.png", b"p" * (MB + 1))],
    )
    assert answer.status == 413
    assert 'value="Broken lid"' in answer.body
    assert "The lid snapped off." in answer.text
    assert not Conversation.objects.filter(subject="Broken lid").exists()


def test_replies_past_the_limit_get_429_and_keep_the_text(carla: PortalBrowser, kettle: Conversation) -> None:
    for number in range(POSTS_PER_CUSTOMER):
        assert carla.post(f"/portal/c/{kettle.number}/", {"text": f"Reply {number}"}).status == 302
    answer = carla.post(f"/portal/c/{kettle.number}/", {"text": "One more thing about the kettle."})
    assert answer.status == 429
    assert "One more thing about the kettle." in answer.text
    assert "Please wait" in answer.text
    assert kettle.messages.count() == 1 + POSTS_PER_CUSTOMER


def test_new_requests_count_towards_the_same_limit(carla: PortalBrowser, kettle: Conversation) -> None:
    for number in range(POSTS_PER_CUSTOMER - 1):
        assert carla.post(f"/portal/c/{kettle.number}/", {"text": f"Reply {number}"}).status == 302
    assert carla.post("/portal/new/", {"subject": "Last one", "text": "Hello"}).status == 302
    answer = carla.post("/portal/new/", {"subject": "Yet another", "text": "Please help with the toaster."})
    assert answer.status == 429
    assert 'value="Yet another"' in answer.body
    assert "Please help with the toaster." in answer.text
    assert not Conversation.objects.filter(subject="Yet another").exists()


def test_one_address_posting_for_many_customers_is_limited(live_server) -> None:  # type: ignore[no-untyped-def]
    sent = 0
    refused = None
    for number in range(POSTS_PER_IP // POSTS_PER_CUSTOMER + 2):
        person = create_customer(name=f"Person {number}", emails=[f"person{number}@example.test"])
        conversation = open_conversation(customer=person, subject="Hi", channel="portal", text="Hi")[0]
        browser = signed_in_browser(live_server, person)
        for _ in range(POSTS_PER_CUSTOMER):
            answer = browser.post(f"/portal/c/{conversation.number}/", {"text": "Spam"})
            if answer.status == 429:
                refused = answer
                break
            sent += 1
        if refused:
            break
    assert refused is not None
    assert sent == POSTS_PER_IP
