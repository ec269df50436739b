"""Customers never see recovery cases: not in the portal's pages, not through its links."""

from __future__ import annotations

import pytest

from goodwill.channels.portal.services import SESSION_KEY
from goodwill.recovery import services

pytestmark = pytest.mark.django_db


def test_the_portal_shows_no_case_and_no_case_page(client, agent, conversation, customer):
    case = services.open_case_by_hand(
        customer, by=agent, reason="Refund forgotten SECRET-REASON", conversation=conversation
    )[0]
    services.close_case(case, result="not_recovered", by=agent, note="Went elsewhere SECRET-NOTE")
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    pages = [client.get("/portal/"), client.get(f"/portal/c/{conversation.number}/")]
    assert [page.status_code for page in pages] == [200, 200]
    for page in pages:
        html = page.content.decode()
        assert "Router keeps dropping" in html  # the customer's own conversation is there
        assert "SECRET" not in html and "Recovery" not in html and "recovery" not in html
    # The agents' pages need an agent: a customer's session is sent to sign in.
    for path in (f"/recovery/{case.pk}/", "/recovery/"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
