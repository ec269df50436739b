"""One module per API resource; each exposes a ninja `router`."""

from typing import cast

from django.http import HttpRequest

from goodwill.accounts.models import Agent


def agent_of(request: HttpRequest) -> Agent:
    """The agent behind the request's Bearer token (never the session user)."""
    return cast(Agent, request.auth)  # type: ignore[attr-defined]
