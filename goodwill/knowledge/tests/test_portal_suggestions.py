"""The portal's new-request form asks the help centre for articles while the customer types."""

from __future__ import annotations

import pytest

from goodwill.channels.portal.tests.conftest import sign_in_as
from goodwill.knowledge.tests.helpers import make_article

pytestmark = pytest.mark.django_db


def test_the_new_request_form_asks_for_suggestions_as_the_customer_types(client, customer):
    sign_in_as(client, customer)
    html = client.get("/portal/new/").content.decode()
    assert 'hx-get="/help/suggest?source=portal"' in html
    assert "delay:500ms" in html
    assert 'href="/help/"' in html  # without scripts: a plain link to the searchable help centre


def test_suggestions_for_the_typed_request_link_back_with_the_portal_as_source(client, agent):
    article = make_article(
        agent, title="Resetting your password", body="Choose Forgot password on the sign-in page."
    )
    html = client.get(
        "/help/suggest", {"source": "portal", "subject": "Login", "text": "I forgot my password"}
    ).content.decode()
    assert f"/help/a/{article.pk}/{article.slug}/?ref=portal" in html
