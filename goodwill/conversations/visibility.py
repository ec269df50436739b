"""Who may read which conversation: one rule for the workspace, search, live, the API and customers.

Admins see everything; everyone else sees every conversation except those of restricted teams
they are not a member of. A conversation someone may not see is a 404, never a 403.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import Conversation
from goodwill.core.prepared import PreparedQuery

# Every agent page asks, so its SQL is built once per process (core.prepared).
_HIDDEN_TEAMS = PreparedQuery(
    lambda agent_id: Team.objects.filter(is_restricted=True).exclude(members=agent_id).values_list("id")
)


def restricted_team_ids_hidden_from(agent: Agent) -> list[int]:
    """Restricted teams the agent is not a member of.

    Remembered on the agent object, which lives for one request (like `_team_ids`)."""
    if agent.is_admin:
        return []
    cached = getattr(agent, "_goodwill_hidden_team_ids", None)
    if cached is None:
        cached = [pk for (pk,) in _HIDDEN_TEAMS.rows(agent.pk)]
        agent._goodwill_hidden_team_ids = cached  # type: ignore[attr-defined]
    return cached


def conversations_visible_to(agent: Agent) -> QuerySet[Conversation]:
    """Every conversation the agent may read: all but other restricted teams' ones."""
    if not agent.is_active:
        return Conversation.objects.none()
    queryset = Conversation.objects.all()
    hidden = restricted_team_ids_hidden_from(agent)
    if hidden:
        queryset = queryset.filter(Q(team__isnull=True) | ~Q(team_id__in=hidden))
    return queryset


def can_see_conversation(agent: Agent, conversation: Conversation) -> bool:
    if not agent.is_active:
        return False
    if agent.is_admin or conversation.team_id is None:
        return True
    return conversation.team_id not in restricted_team_ids_hidden_from(agent)


def get_conversation_for(agent: Agent, number: int) -> Conversation:
    conversation = (
        Conversation.objects.select_related(
            "customer", "customer__organisation", "assignee", "team", "need", "need__parent"
        )
        .filter(number=number)
        .first()
    )
    if conversation is None or not can_see_conversation(agent, conversation):
        raise Http404("No such conversation")
    return conversation
