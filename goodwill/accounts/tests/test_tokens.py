"""API tokens: expiry, revocation from the command line, and revocation when an agent loses access."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent, ApiToken
from goodwill.accounts.services import create_or_update_agent, issue_api_token
from goodwill.accounts.tests.tasks import run_queued_tasks
from goodwill.core.testing import clean_env, run_goodwill


def api_status(raw: str) -> int:
    return Client().get("/api/v1/conversations", headers={"Authorization": f"Bearer {raw}"}).status_code


def test_an_expired_token_is_refused_by_the_api_with_401(agent: Agent) -> None:
    expired = issue_api_token(agent, name="old", expires_at=timezone.now() - timedelta(seconds=1))
    current = issue_api_token(agent, name="new", expires_at=timezone.now() + timedelta(days=1))

    assert api_status(expired) == 401
    assert api_status(current) == 200


def test_revoke_token_revokes_the_token_with_that_prefix_only(agent: Agent) -> None:
    first = issue_api_token(agent, name="first")
    second = issue_api_token(agent, name="second")
    out = StringIO()

    call_command("revoke_token", "Sam@Example.com", first[:10], stdout=out)

    assert "Revoked 1 token" in out.getvalue()
    assert api_status(first) == 401
    assert api_status(second) == 200


def test_revoke_token_all_revokes_every_token_of_the_agent_and_no_one_elses(
    agent: Agent, teammate: Agent
) -> None:
    mine = [issue_api_token(agent) for _ in range(2)]
    theirs = issue_api_token(teammate)
    out = StringIO()

    call_command("revoke_token", "sam@example.com", "--all", stdout=out)

    assert "Revoked 2 tokens" in out.getvalue()
    assert [api_status(raw) for raw in mine] == [401, 401]
    assert api_status(theirs) == 200


def test_revoke_token_wants_a_prefix_or_all_and_a_known_agent(agent: Agent) -> None:
    raw = issue_api_token(agent)

    with pytest.raises(CommandError, match="--all or a token prefix"):
        call_command("revoke_token", "sam@example.com")
    with pytest.raises(CommandError, match="not both"):
        call_command("revoke_token", "sam@example.com", raw[:10], "--all")
    with pytest.raises(CommandError, match="No agent nobody@example.com"):
        call_command("revoke_token", "nobody@example.com", "--all")
    with pytest.raises(CommandError, match="No live token of sam@example.com starts with gw_nothing"):
        call_command("revoke_token", "sam@example.com", "gw_nothing")
    assert api_status(raw) == 200


def test_goodwill_revoke_token_on_the_command_line(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    run_goodwill(["create-agent", "ops@example.com"], env)
    token = run_goodwill(["create-token", "ops@example.com"], env).stdout.strip()

    result = run_goodwill(["revoke-token", "ops@example.com", token[:12]], env)
    again = run_goodwill(["revoke-token", "ops@example.com", token[:12]], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Revoked 1 token of ops@example.com."
    assert again.returncode != 0


def test_deactivating_an_agent_in_the_admin_revokes_their_tokens(admin: Agent, agent: Agent) -> None:
    raw = issue_api_token(agent)
    client = Client()
    client.force_login(admin)
    change = reverse("admin:accounts_agent_change", args=[agent.pk])
    form = {
        "email": agent.email,
        "name": agent.name,
        "role": agent.role,
        "time_zone": agent.time_zone,
        "signature": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }

    response = client.post(change, form)  # is_active left out: unticked
    assert response.status_code == 302
    client.post(change, {**form, "is_active": "on"})

    assert Agent.objects.get(pk=agent.pk).is_active
    assert api_status(raw) == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_resetting_a_forgotten_password_revokes_the_agents_tokens(agent: Agent) -> None:
    raw = issue_api_token(agent)
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "sam@example.com"})
    run_queued_tasks()
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    landing = client.get(path, follow=True)

    client.post(
        landing.redirect_chain[-1][0],
        {"new_password1": "a-new-secret-77", "new_password2": "a-new-secret-77"},
    )

    assert api_status(raw) == 401


def test_a_new_password_from_the_command_line_revokes_tokens_but_the_same_one_does_not(agent: Agent) -> None:
    raw = issue_api_token(agent)
    create_or_update_agent("sam@example.com", password="pw-sam-123")
    assert api_status(raw) == 200

    create_or_update_agent("sam@example.com", password="something-else-42")

    assert api_status(raw) == 401


def test_any_password_change_revokes_the_tokens(agent, teammate) -> None:
    """Not only the reset link: `goodwill changepassword`, the shell and the admin call set_password."""
    from goodwill.accounts.models import Agent as AgentModel
    from goodwill.accounts.services import agent_for_token, issue_api_token

    mine = issue_api_token(agent, name="script")
    theirs = issue_api_token(teammate, name="other")
    agent.name = "Sam Renamed"
    agent.save()  # an unrelated change keeps them
    assert agent_for_token(mine) == agent
    fresh = AgentModel.objects.get(pk=agent.pk)
    fresh.set_password("a-new-password-9")
    fresh.save()
    assert agent_for_token(mine) is None
    assert agent_for_token(theirs) == teammate
    later = issue_api_token(fresh, name="after")
    fresh.save()  # saving again does not revoke the new one
    assert agent_for_token(later) == fresh
