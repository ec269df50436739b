"""The sidebar panel: requests this conversation sent to other teams (with their state), and where
an internal request came from."""

from __future__ import annotations

from django.http import HttpRequest

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, allows
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows, shared
from goodwill.conversations.visibility import can_see_conversation
from goodwill.internal.models import LinkedRequest


def linked_requests_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    agent: Agent = request.user  # type: ignore[assignment]
    asked = (
        list(
            LinkedRequest.objects.filter(origin=conversation).select_related(
                "request", "request__team", "asked_by"
            )[:20]
        )
        if has_rows(request, conversation, LinkedRequest, "origin")
        else []
    )
    source = (
        LinkedRequest.objects.filter(request=conversation).select_related("origin").first()
        if has_rows(request, conversation, LinkedRequest, "request")
        else None
    )
    # Every team in name order, shared with the properties panel's team list.
    teams = (
        [
            team
            for team in shared(request, "accounts.teams", lambda: list(Team.objects.all()))
            if team.accepts_internal_requests and team.pk != (conversation.team_id or 0)
        ]
        if allows(agent, Action.NOTE)
        else []
    )
    if not asked and source is None and not teams:
        return None
    return Panel(
        "internal/_panel.html",
        {
            "asked": asked,
            "source": source if source and can_see_conversation(agent, source.origin) else None,
            "teams": teams,
        },
    )
