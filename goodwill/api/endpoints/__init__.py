"""One module per API resource; each exposes a ninja `router`."""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from goodwill.accounts.models import Agent


def agent_of(request: HttpRequest) -> Agent:
    """The agent behind the request's Bearer token (never the session user)."""
    return cast(Agent, request.auth)  # type: ignore[attr-defined]


def require_full_agent(agent: Agent) -> None:
    if agent.is_light:
        raise PermissionDenied("Light agents may read and add internal notes only.")
