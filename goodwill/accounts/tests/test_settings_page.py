"""The agent's own settings page: their API tokens, listed, created (shown once) and revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent, ApiToken
from goodwill.accounts.services import agent_for_token, issue_api_token

SETTINGS = reverse("accounts:settings")


@pytest.fixture
def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def test_the_page_needs_a_signed_in_agent(db: None) -> None:
    response = Client().get(SETTINGS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_lists_the_agents_own_tokens_with_name_created_and_last_used(
    signed_in: Client, agent: Agent, teammate: Agent
) -> None:
    used = issue_api_token(agent, name="Zapier")
    issue_api_token(agent, name="Reporting script", expires_at=timezone.now() + timedelta(days=30))
    issue_api_token(teammate, name="Tess's secret robot")
    agent_for_token(used)

    html = signed_in.get(SETTINGS).content.decode()

    assert "Zapier" in html and "Reporting script" in html
    assert "Tess's secret robot" not in html and "Tess&#x27;s secret robot" not in html
    assert "Never used" in html
    assert ApiToken.objects.get(name="Zapier").prefix in html


def test_a_new_token_is_shown_once(signed_in: Client, agent: Agent) -> None:
    response = signed_in.post(
        reverse("accounts:create_token"), {"name": "CI", "expires_in_days": "30"}, follow=True
    )
    token = ApiToken.objects.get(agent=agent)
    raw = response.context["new_token"]

    assert raw.startswith(token.prefix)
    assert raw in response.content.decode()
    assert agent_for_token(raw) == agent
    assert token.name == "CI"
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert raw not in signed_in.get(SETTINGS).content.decode()


def test_a_token_without_expiry_never_expires(signed_in: Client, agent: Agent) -> None:
    signed_in.post(reverse("accounts:create_token"), {"name": "forever", "expires_in_days": ""})

    assert ApiToken.objects.get(agent=agent).expires_at is None


def test_revoking_asks_first_then_stops_the_token(signed_in: Client, agent: Agent) -> None:
    raw = issue_api_token(agent, name="Old laptop")
    token = ApiToken.objects.get()
    revoke = reverse("accounts:revoke_token", args=[token.pk])

    confirm = signed_in.get(revoke)
    assert confirm.status_code == 200
    assert "Revoke the token “Old laptop”" in confirm.content.decode()
    assert agent_for_token(raw) == agent

    done = signed_in.post(revoke)

    assert done.status_code == 302
    assert agent_for_token(raw) is None
    assert "Revoked" in signed_in.get(SETTINGS).content.decode()


def test_another_agents_token_cannot_be_revoked(signed_in: Client, teammate: Agent) -> None:
    raw = issue_api_token(teammate)
    token = ApiToken.objects.get()

    assert signed_in.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    assert agent_for_token(raw) == teammate
