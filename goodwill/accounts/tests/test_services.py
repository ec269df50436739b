"""Agents, teams and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from goodwill.accounts.middleware import AgentTimezoneMiddleware
from goodwill.accounts.models import Agent, ApiToken, Team, TeamMembership, hash_token
from goodwill.accounts.services import add_to_team, agent_for_token, create_or_update_agent, issue_api_token

pytestmark = pytest.mark.django_db


def test_create_agent_lower_cases_the_address_and_defaults_to_agent() -> None:
    agent, created = create_or_update_agent("  Pat@Example.COM ", name="Pat")

    assert created
    assert agent.email == "pat@example.com"
    assert agent.role == Agent.Role.AGENT
    assert not agent.has_usable_password()


def test_update_agent_changes_only_what_is_given() -> None:
    create_or_update_agent("pat@example.com", name="Pat", role="light", password="first-pass-1", time_zone="Europe/Berlin")

    agent, created = create_or_update_agent("PAT@example.com", role="admin")

    assert not created
    assert (agent.name, agent.role, agent.time_zone) == ("Pat", "admin", "Europe/Berlin")
    assert agent.check_password("first-pass-1")
    assert Agent.objects.count() == 1


def test_create_agent_refuses_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="role must be one of admin, agent, light"):
        create_or_update_agent("pat@example.com", role="owner")

    assert not Agent.objects.exists()


def test_create_agent_refuses_a_bad_address() -> None:
    with pytest.raises(ValidationError):
        create_or_update_agent("not-an-address")


def test_create_superuser_makes_an_admin() -> None:
    root = Agent.objects.create_superuser("Root@Example.com", "root-pass-123")

    assert root.email == "root@example.com"
    assert root.is_admin and root.is_staff


def test_add_to_team_is_idempotent(agent: Agent, support_team: Team) -> None:
    add_to_team(agent, support_team)
    add_to_team(agent, support_team)

    assert TeamMembership.objects.filter(agent=agent, team=support_team).count() == 1
    assert list(agent.teams.all()) == [support_team]


def test_an_issued_token_is_stored_only_as_a_hash(agent: Agent) -> None:
    raw = issue_api_token(agent, name="zapier")

    token = ApiToken.objects.get()
    assert raw.startswith("gw_")
    assert token.token_hash == hash_token(raw)
    assert raw not in (token.token_hash, token.prefix)
    assert token.prefix == raw[:10]
    assert token.name == "zapier"


def test_a_token_finds_its_agent_and_notes_when_it_was_used(agent: Agent) -> None:
    raw = issue_api_token(agent)

    assert agent_for_token(raw) == agent
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_or_unknown_token_finds_nobody(agent: Agent) -> None:
    raw = issue_api_token(agent)
    ApiToken.objects.update(revoked_at=timezone.now())

    assert agent_for_token(raw) is None
    assert agent_for_token("gw_made-up") is None


def test_a_deactivated_agents_token_finds_nobody(agent: Agent) -> None:
    raw = issue_api_token(agent)
    Agent.objects.filter(pk=agent.pk).update(is_active=False)

    assert agent_for_token(raw) is None


def test_token_use_is_written_at_most_once_a_minute(agent: Agent) -> None:
    raw = issue_api_token(agent)
    a_moment_ago = timezone.now() - timedelta(seconds=20)
    ApiToken.objects.update(last_used_at=a_moment_ago)

    agent_for_token(raw)

    assert ApiToken.objects.get().last_used_at == a_moment_ago


def test_an_unknown_time_zone_falls_back_to_utc(agent: Agent) -> None:
    agent.time_zone = "Mars/Olympus_Mons"

    assert str(agent.zone) == "UTC"


def test_requests_run_in_the_signed_in_agents_time_zone(agent: Agent) -> None:
    agent.time_zone = "America/New_York"
    seen: list[str] = []

    def view(request):  # type: ignore[no-untyped-def]
        seen.append(timezone.get_current_timezone_name())
        return None

    request = RequestFactory().get("/")
    request.user = agent
    AgentTimezoneMiddleware(view)(request)

    assert seen == ["America/New_York"]
    assert timezone.get_current_timezone_name() == "UTC"
