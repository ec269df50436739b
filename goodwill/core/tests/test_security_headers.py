"""Security headers on every kind of page: CSP, caching of customer data, HSTS and friends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from goodwill.accounts.models import Agent
from goodwill.accounts.services import issue_api_token
from goodwill.channels.portal.services import SESSION_KEY
from goodwill.conversations.services import open_conversation
from goodwill.core.testing import clean_env, python_json
from goodwill.customers.models import Customer

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_strict_policy(response) -> None:  # type: ignore[no-untyped-def]
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for name in ("script-src", "style-src"):
        sources = policy.get(name, policy["default-src"])
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, (name, sources)
    for sources in policy.values():
        assert not [source for source in sources if re.match(r"(https?:|\*|//)", source)], sources


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def portal_client(customer: Customer) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    return client


def test_workspace_pages_get_a_strict_policy_and_are_not_stored(agent: Agent, customer: Customer) -> None:
    conversation, _message = open_conversation(
        customer=customer, subject="Kettle", channel="email", text="Hi"
    )
    client = signed_in(agent)
    for path in ("/", f"/c/{conversation.number}/", "/search/?q=kettle"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        assert response["Cache-Control"] == "private, no-store", path


def test_portal_pages_get_a_strict_policy_and_are_not_stored(customer: Customer) -> None:
    conversation, _message = open_conversation(
        customer=customer, subject="Kettle", channel="portal", text="Hi"
    )
    client = portal_client(customer)
    for path in ("/portal/", f"/portal/c/{conversation.number}/", "/portal/new/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_strict_policy(response)
        assert response["Cache-Control"] == "private, no-store", path
    assert_strict_policy(Client().get("/portal/"))


def test_admin_and_error_pages_get_the_policy_too(admin: Agent) -> None:
    response = signed_in(admin).get("/admin/")
    assert response.status_code == 200
    assert_strict_policy(response)
    missing = Client().get("/no-such-page/")
    assert missing.status_code in (302, 404)
    assert_strict_policy(missing)
    assert_strict_policy(Client().get("/accounts/login/"))


def test_api_answers_are_private_and_not_stored(agent: Agent) -> None:
    token = issue_api_token(agent)
    response = Client().get("/api/v1/conversations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_say_no_sniffing_no_framing_and_a_same_origin_referrer(agent: Agent) -> None:
    response = signed_in(agent).get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_docs_serve_their_own_swagger_ui_under_the_policy() -> None:
    response = Client().get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert_strict_policy(response)
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any("swagger-ui-bundle" in src for src in scripts), scripts
    assert all(src.startswith("/static/") for src in scripts), scripts
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), "inline script"


def test_every_template_and_script_is_free_of_inline_code() -> None:
    """Inline handlers, styles and scripts would be refused by the policy; eval too (htmx filters)."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.rglob("templates/**/*.html"), *(root / "static" / "goodwill").glob("*.js")]:
        text = path.read_text()
        for pattern in (
            r"\son[a-z]+=",
            r"\sstyle=",
            r"<style",
            r"<script(?![^>]*\bsrc=)",
            r"hx-on",
            r'hx-trigger="[^"]*\[',
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(root)}: {pattern}")
    assert offenders == []


SHOW = """
import json
from django.conf import settings as s
print(json.dumps({"hsts": s.SECURE_HSTS_SECONDS, "subdomains": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
                  "redirect": s.SECURE_SSL_REDIRECT}))
"""


def test_hsts_is_on_for_an_https_base_url_and_can_be_tuned(tmp_path: Path) -> None:
    plain = python_json(SHOW, clean_env(tmp_path))
    https = python_json(SHOW, clean_env(tmp_path, GOODWILL_BASE_URL="https://help.example.com"))
    tuned = python_json(
        SHOW, clean_env(tmp_path, GOODWILL_BASE_URL="https://help.example.com", GOODWILL_HSTS_SECONDS="300")
    )
    assert plain == {"hsts": 0, "subdomains": False, "redirect": False}
    assert https == {"hsts": 31_536_000, "subdomains": True, "redirect": True}
    assert isinstance(tuned, dict) and tuned["hsts"] == 300


def test_a_secure_request_gets_hsts_when_it_is_on(settings, agent: Agent) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = signed_in(agent).get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


def test_https_requests_from_a_tls_proxy_are_not_redirected(settings, agent: Agent) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = signed_in(agent)
    plain = client.get("/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert Client().get("/healthz").status_code == 200


def test_a_pdf_shown_inline_is_left_to_the_browsers_viewer(agent: Agent, customer: Customer) -> None:
    from goodwill.conversations.services import NewAttachment

    conversation, message = open_conversation(
        customer=customer,
        subject="Invoice",
        channel="email",
        text="Attached.",
        attachments=[
            NewAttachment(filename="invoice.pdf", content=b"%PDF-1.4 x", content_type="application/pdf"),
            NewAttachment(filename="photo.png", content=b"\x89PNG x", content_type="image/png"),
        ],
    )
    client = signed_in(agent)
    pdf, png = message.attachments.order_by("filename")
    shown = client.get(f"/c/{conversation.number}/attachments/{pdf.pk}/?inline=1")
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in shown
    image = client.get(f"/c/{conversation.number}/attachments/{png.pk}/?inline=1")
    assert image["Content-Security-Policy"].startswith("default-src 'none'")
