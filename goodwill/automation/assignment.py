"""Automatic assignment: round-robin or fewest-open per team, by skill, never past a limit.

Two workers assigning at once must not both hand the same agent a conversation past their
limit: the team's policy row is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions already serialise writers) for the whole choose-and-assign, and the
chosen agent's row too, so agents shared by two teams are counted once at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.automation.models import AgentSkill, AssignmentPolicy
from goodwill.conversations import services
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.core.services import record_event


def candidates(policy: AssignmentPolicy, conversation: Conversation) -> list[tuple[Agent, int]]:
    """The team's available agents with their open-conversation counts, below the limit, by id."""
    agents = (
        Agent.objects.filter(teams=policy.team, is_active=True, is_away=False)
        .exclude(role=Agent.Role.LIGHT)
        .annotate(
            open_count=Count(
                "assigned_conversations",
                filter=Q(assigned_conversations__status__in=Conversation.OPEN_STATUSES),
            )
        )
        .order_by("pk")
    )
    if policy.by_skill and conversation.need_id:
        skilled = AgentSkill.objects.filter(need_id=conversation.need_id).values("agent_id")
        agents = agents.filter(pk__in=skilled)
    found: list[tuple[Agent, int]] = [(agent, agent.open_count) for agent in agents]
    if policy.max_open:
        found = [(agent, count) for agent, count in found if count < policy.max_open]
    return found


def _choose(policy: AssignmentPolicy, found: list[tuple[Agent, int]]) -> Agent | None:
    if not found:
        return None
    cursor = policy.last_agent_id or 0
    # Next after the cursor, wrapping around; "fewest open" breaks ties the same way.
    ordered = sorted(found, key=lambda item: (item[0].pk <= cursor, item[0].pk))
    if policy.mode == AssignmentPolicy.Mode.LOAD_BALANCED:
        fewest = min(count for _agent, count in found)
        ordered = [item for item in ordered if item[1] == fewest]
    return ordered[0][0]


def assign_by_policy(conversation: Conversation) -> Agent | None:
    """Give the conversation to the next agent of its team's policy; None when nobody can take it
    (no team, no policy, everyone away or full). Leaves an assigned conversation alone."""
    if conversation.team_id is None or conversation.assignee_id is not None:
        return None
    with transaction.atomic():
        policy = AssignmentPolicy.objects.select_for_update().filter(team_id=conversation.team_id).first()
        if policy is None:
            return None
        for _attempt in range(3):
            agent = _choose(policy, candidates(policy, conversation))
            if agent is None:
                return None
            # Lock the agent and count again: another team's assignment may have filled them.
            Agent.objects.select_for_update().filter(pk=agent.pk).first()
            open_now = Conversation.objects.open().filter(assignee=agent).count()
            if policy.max_open and open_now >= policy.max_open:
                continue
            services.assign_conversation(conversation, to=agent, by=None)
            AssignmentPolicy.objects.filter(pk=policy.pk).update(last_agent_id=agent.pk)
            policy.last_agent_id = agent.pk
            return agent
    return None


def set_away(agent: Agent, away: bool) -> None:
    """The agent says they are away (no new assignments) or back; audited."""
    if agent.is_away == away:
        return
    with transaction.atomic():
        agent.is_away = away
        agent.away_since = timezone.now() if away else None
        agent.save(update_fields=["is_away", "away_since"])
        record_event(
            Event.Kind.AGENT_CHANGED,
            actor=agent,
            subject=agent,
            before={"is_away": not away},
            after={"is_away": away},
        )


def return_from_away(now: datetime) -> int:
    """Unassign open conversations of agents away longer than their team's policy allows, so the
    team (and its assignment) picks them up again. Returns how many were returned."""
    returned = 0
    for policy in AssignmentPolicy.objects.filter(return_after_minutes__gt=0).select_related("team"):
        cutoff = now - timedelta(minutes=policy.return_after_minutes)
        stale = (
            Conversation.objects.open()
            .filter(team=policy.team, assignee__is_away=True, assignee__away_since__lte=cutoff)
            .select_related("assignee")
        )
        for conversation in stale:
            with transaction.atomic():
                locked = Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
                if locked is None or locked.assignee_id != conversation.assignee_id:
                    continue
                services.assign_conversation(locked, to=None, by=None)
                services.add_note(
                    locked,
                    by=None,
                    text=f"Returned to {policy.team.name}: {conversation.assignee} has been away "
                    f"for more than {policy.return_after_minutes} minutes.",
                )
                assign_by_policy(locked)
                returned += 1
    return returned
