"""Reads: the cases an agent may see, the queue, the lead summary, a conversation's and a customer's cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from goodwill.accounts.models import Agent, TeamMembership
from goodwill.conversations.selectors import InboxView
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.recovery.models import RecoveryCase

QUEUE_SCOPES = ("mine", "team", "all")
QUEUE_SIZE = 100


def cases_visible_to(agent: Agent) -> QuerySet[RecoveryCase]:
    """Every case but those of restricted teams the agent is not in (the conversations' rule)."""
    if not agent.is_active:
        return RecoveryCase.objects.none()
    rows = RecoveryCase.objects.all()
    hidden = restricted_team_ids_hidden_from(agent)
    if hidden:
        rows = rows.filter(Q(team__isnull=True) | ~Q(team_id__in=hidden))
    return rows


def get_case_for(agent: Agent, pk: int) -> RecoveryCase:
    case = (
        cases_visible_to(agent)
        .select_related("customer", "conversation", "team", "owner", "opened_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("No such recovery case")
    return case


def _team_ids(agent: Agent) -> list[int]:
    return list(TeamMembership.objects.filter(agent=agent).values_list("team_id", flat=True))


def queue(agent: Agent, scope: str) -> list[RecoveryCase]:
    """Open cases, overdue first (soonest due step), for "mine", "team" (my teams) or "all"."""
    rows = cases_visible_to(agent).filter(status=RecoveryCase.Status.OPEN)
    if scope == "mine":
        rows = rows.filter(owner=agent)
    elif scope == "team":
        rows = rows.filter(team_id__in=_team_ids(agent))
    return list(
        rows.select_related("customer", "conversation", "owner", "team").order_by(
            F("due_at").asc(nulls_last=True), "opened_at", "pk"
        )[:QUEUE_SIZE]
    )


def leads_teams(agent: Agent) -> list[int] | None:
    """Team ids whose summary the agent sees: None for every team (admins), [] for none."""
    if agent.is_admin:
        return None
    return list(TeamMembership.objects.filter(agent=agent, is_lead=True).values_list("team_id", flat=True))


@dataclass(frozen=True)
class TriggerFigures:
    trigger: str
    label: str
    open: int
    closed: int  # closed with a result
    recovered: int

    @property
    def rate(self) -> float | None:
        return self.recovered / self.closed if self.closed else None


def lead_summary(agent: Agent) -> list[TriggerFigures] | None:
    """Open cases and the recovery rate (recovered / closed with a result) by trigger, for the
    teams the agent leads (every team for admins); None when the agent leads none. One query."""
    teams = leads_teams(agent)
    if teams is not None and not teams:
        return None
    rows = RecoveryCase.objects.all() if teams is None else RecoveryCase.objects.filter(team_id__in=teams)
    counts = {
        row["trigger"]: row
        for row in rows.values("trigger").annotate(
            open=Count("pk", filter=Q(status=RecoveryCase.Status.OPEN)),
            closed=Count("pk", filter=Q(status=RecoveryCase.Status.CLOSED) & ~Q(result="")),
            recovered=Count("pk", filter=Q(result=RecoveryCase.Result.RECOVERED)),
        )
    }
    figures = [
        TriggerFigures(
            value, label, counts[value]["open"], counts[value]["closed"], counts[value]["recovered"]
        )
        for value, label in RecoveryCase.Trigger.choices
        if value in counts
    ]
    total = TriggerFigures(
        "",
        "All triggers",
        sum(f.open for f in figures),
        sum(f.closed for f in figures),
        sum(f.recovered for f in figures),
    )
    return [*figures, total]


def cases_of_conversation(conversation_id: int) -> list[RecoveryCase]:
    return list(
        RecoveryCase.objects.filter(conversation_id=conversation_id)
        .select_related("owner")
        .order_by("-status", "-opened_at")[:10]  # "open" sorts after "closed": open ones first
    )


def _open_case(agent: Agent) -> Q:
    with_case = RecoveryCase.objects.filter(status=RecoveryCase.Status.OPEN, conversation__isnull=False)
    return Q(pk__in=with_case.values("conversation_id"))


RECOVERY_VIEW = InboxView("recovery", "Recovery", "recent", _open_case)
