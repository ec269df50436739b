"""State changes for agents, teams and tokens."""

from __future__ import annotations

from django.db import transaction
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
        if password is not None:
            agent.set_password(password)
        agent.full_clean(exclude=["password"])
        agent.save()
    return agent, created


def add_to_team(agent: Agent, team: Team) -> None:
    TeamMembership.objects.get_or_create(agent=agent, team=team)


def issue_api_token(agent: Agent, *, name: str = "") -> str:
    """Create a token and return its secret text; only the hash is kept."""
    raw = ApiToken.generate()
    ApiToken.objects.create(agent=agent, name=name, prefix=raw[:10], token_hash=hash_token(raw))
    return raw


def revoke_api_token(raw: str) -> bool:
    """Stop a token from working; False when no live token has that text."""
    revoked = ApiToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked > 0


def agent_for_token(raw: str) -> Agent | None:
    token = (
        ApiToken.objects.select_related("agent")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, agent__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.agent
