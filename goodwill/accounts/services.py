"""State changes for agents, teams and tokens."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from goodwill.accounts.models import Agent, ApiToken, Team, TeamMembership, hash_token


def create_or_update_agent(
    email: str,
    *,
    name: str | None = None,
    role: str | None = None,
    password: str | None = None,
    time_zone: str | None = None,
) -> tuple[Agent, bool]:
    """Create the agent, or update the given fields of an existing one."""
    email = email.strip().lower()
    with transaction.atomic():
        agent = Agent.objects.filter(email=email).first()
        created = agent is None
        if agent is None:
            agent = Agent(email=email, role=role or Agent.Role.AGENT)
            agent.set_unusable_password()
        if name is not None:
            agent.name = name
        if role is not None:
            if role not in Agent.Role.values:
                raise ValueError(f"role must be one of {', '.join(Agent.Role.values)}")
            agent.role = role
        if time_zone is not None:
            agent.time_zone = time_zone
        password_changed = (
            password is not None and not created and not check_password(password, agent.password)
        )
        if password is not None and (created or password_changed):
            agent.set_password(password)  # a new password revokes the tokens (Agent.save)
        agent.full_clean(exclude=["password"])
        agent.save()
        if password_changed:
            revoke_agent_tokens(agent)
    return agent, created


def add_to_team(agent: Agent, team: Team) -> None:
    TeamMembership.objects.get_or_create(agent=agent, team=team)


def issue_api_token(agent: Agent, *, name: str = "", expires_at: datetime | None = None) -> str:
    """Create a token and return its secret text; only the hash is kept."""
    raw = ApiToken.generate()
    ApiToken.objects.create(
        agent=agent, name=name, prefix=raw[:10], token_hash=hash_token(raw), expires_at=expires_at
    )
    return raw


def revoke_api_token(raw: str) -> bool:
    """Stop a token from working; False when no live token has that text."""
    revoked = ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked > 0


def revoke_agent_tokens(agent: Agent, *, prefix: str | None = None, token_id: int | None = None) -> int:
    """Revoke the agent's unrevoked tokens: all, those starting with `prefix`, or one by id.

    Called when the agent is deactivated or their password changes, so a token made by
    whoever held the account before does not outlive that change. Returns how many.
    """
    tokens = ApiToken.objects.filter(agent=agent, revoked_at__isnull=True)
    if prefix is not None:
        # Only the first 10 characters are stored in clear; a longer prefix is matched on those.
        tokens = tokens.filter(prefix__startswith=prefix[:10])
    if token_id is not None:
        tokens = tokens.filter(pk=token_id)
    return tokens.update(revoked_at=timezone.now())


def agent_for_token(raw: str) -> Agent | None:
    """The active agent whose live (not revoked, not expired) token this is."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("agent")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, agent__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.agent
