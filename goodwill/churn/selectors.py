"""Reads: who may see the watch, its rows page by page, a customer's entry, outreach marks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from goodwill.accounts.models import Agent, Team, TeamMembership
from goodwill.churn.models import ChurnEntry, ChurnRun, Outreach
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.customers.models import Customer
from goodwill.recovery.models import RecoveryCase

PAGE_SIZE = 50


def may_watch(agent: Agent) -> bool:
    """Full agents and admins read the watch; light agents (and customers) never do."""
    return agent.is_active and not agent.is_light


def led_team_ids(agent: Agent) -> set[int]:
    return set(TeamMembership.objects.filter(agent=agent, is_lead=True).values_list("team_id", flat=True))


def may_lead(agent: Agent, team: Team | None = None) -> bool:
    """Admins, and leads (of `team` when given, of any team otherwise), rebuild and tune the watch."""
    if not agent.is_active or agent.is_light:
        return False
    if agent.is_admin:
        return True
    query = TeamMembership.objects.filter(agent=agent, is_lead=True)
    return query.filter(team=team).exists() if team is not None else query.exists()


def entries_visible_to(agent: Agent) -> QuerySet[ChurnEntry]:
    if not may_watch(agent):
        return ChurnEntry.objects.none()
    rows = ChurnEntry.objects.all()
    hidden = restricted_team_ids_hidden_from(agent)
    if hidden:
        rows = rows.filter(Q(team__isnull=True) | ~Q(team_id__in=hidden))
    return rows


@dataclass
class Page:
    rows: list[ChurnEntry]
    next_after: int | None
    prev_after: int | None


def watch_page(agent: Agent, *, team_id: int | None = None, after: int = 0) -> Page:
    """Up to PAGE_SIZE rows after rank `after` (keyset on rank), each with its outreach marks."""
    rows = entries_visible_to(agent)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    page = list(
        rows.filter(rank__gt=after)
        .select_related("customer", "customer__organisation", "team", "last_conversation")
        .order_by("rank")[: PAGE_SIZE + 1]
    )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    mark(page)
    previous = None
    if after:
        before = list(
            rows.filter(rank__lte=after).order_by("-rank").values_list("rank", flat=True)[: PAGE_SIZE + 1]
        )
        previous = before[-1] - 1 if len(before) > PAGE_SIZE else 0
    return Page(page, page[-1].rank if more else None, previous)


def mark(entries: list[ChurnEntry]) -> None:
    """Set `outreach` and `recovery_case` on each entry for its bad last conversation (two queries)."""
    customer_ids = [entry.customer_id for entry in entries]
    reached = {
        (customer_id, after_id): conversation_id
        for customer_id, after_id, conversation_id in Outreach.objects.filter(customer_id__in=customer_ids)
        .order_by("created_at")
        .values_list("customer_id", "after_conversation_id", "conversation_id")
    }
    keys = [recovery_key(entry.customer_id, entry.last_conversation_id) for entry in entries]
    cases = dict(RecoveryCase.objects.filter(source_key__in=keys).values_list("source_key", "pk"))
    for entry in entries:
        entry.outreach_conversation_id = reached.get((entry.customer_id, entry.last_conversation_id))  # type: ignore[attr-defined]
        entry.recovery_case_id = cases.get(recovery_key(entry.customer_id, entry.last_conversation_id))  # type: ignore[attr-defined]


def recovery_key(customer_id: int, last_conversation_id: int) -> str:
    return f"churn:{customer_id}:{last_conversation_id}"


def get_entry_for(agent: Agent, customer_id: int) -> ChurnEntry:
    """The listed customer's entry, or 404 (not listed, or not the agent's to see)."""
    entry = (
        entries_visible_to(agent)
        .select_related("customer", "customer__organisation", "team", "last_conversation")
        .filter(customer_id=customer_id)
        .first()
    )
    if entry is None:
        raise Http404("This customer is not on the churn watch.")
    return entry


def entry_of(agent: Agent, customer: Customer) -> ChurnEntry | None:
    return entries_visible_to(agent).select_related("last_conversation").filter(customer=customer).first()


def last_run() -> ChurnRun | None:
    return ChurnRun.objects.order_by("-started_at", "-pk").first()


def teams_for_filter(agent: Agent) -> list[Team]:
    hidden = restricted_team_ids_hidden_from(agent)
    return list(Team.objects.exclude(pk__in=hidden).order_by("name"))
