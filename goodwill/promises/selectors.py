"""Reading the promise ledger: per conversation, per customer (timeline, portal), and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from goodwill.accounts.models import Agent
from goodwill.core.prepared import PreparedQuery
from goodwill.customers.models import Customer
from goodwill.promises.models import Promise

UNDER_PROMISE_OVER_DELIVER = "Kept early: under-promised, over-delivered"


def conversation_promises(conversation_id: int) -> list[Promise]:
    """The conversation's promises for its sidebar: open ones by due time first, then closed ones."""
    rows = list(
        Promise.objects.filter(conversation_id=conversation_id)
        .exclude(state=Promise.State.DROPPED)
        .select_related("owner")
        .order_by("created_at", "id")[:100]
    )
    far = datetime.max.replace(tzinfo=None)
    return sorted(
        rows,
        key=lambda p: (
            not p.is_open,
            p.due_at.replace(tzinfo=None) if p.is_open and p.due_at else far,
            -(p.closed_at.timestamp() if p.closed_at else 0),
        ),
    )


# Built once per process: the inbox asks on every page for its rows' badges (core.prepared).
_OVERDUE_OF = PreparedQuery(
    lambda ids: Promise.objects.filter(
        conversation_id__in=ids, state=Promise.State.OPEN, overdue_at__isnull=False
    ).values_list("conversation_id")
)


def overdue_conversation_ids(conversation_ids: list[int]) -> set[int]:
    """Of these conversations, those with an open promise past its due time (one query)."""
    return {pk for (pk,) in _OVERDUE_OF.rows(conversation_ids)}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "promise.made" or "promise.closed"
    title: str
    detail: str
    conversation_number: int
    promise_id: int
    due_at: datetime | None = None
    outcome: str = ""


def promise_timeline_entries(
    customer: Customer, *, since: datetime | None = None, until: datetime | None = None, limit: int = 200
) -> list[TimelineEntry]:
    """The customer's promises as timeline entries (made, and how each ended), newest first.

    For agents' pages only (owner and reasons are internal). One query.
    """
    promises = (
        Promise.objects.filter(customer=customer)
        .exclude(state=Promise.State.DROPPED)
        .select_related("conversation", "owner")
        .order_by("-created_at", "-id")
    )
    if since is not None:
        promises = promises.filter(Q(created_at__gte=since) | Q(closed_at__gte=since))
    if until is not None:
        promises = promises.filter(created_at__lt=until)
    entries: list[TimelineEntry] = []
    for promise in promises[:limit]:
        owner = promise.owner.display_name if promise.owner else "Someone"
        number = promise.conversation.number
        entries.append(
            TimelineEntry(
                promise.created_at,
                "promise.made",
                f"{owner} promised",
                promise.text,
                number,
                promise.pk,
                due_at=promise.due_at,
            )
        )
        if promise.closed_at is not None:
            entries.append(
                TimelineEntry(
                    promise.closed_at,
                    "promise.closed",
                    f"Promise {promise.get_outcome_display().lower()}",
                    promise.reason or promise.text,
                    number,
                    promise.pk,
                    due_at=promise.due_at,
                    outcome=promise.outcome,
                )
            )
    if since is not None:
        entries = [entry for entry in entries if entry.at >= since]
    entries.sort(key=lambda entry: (entry.at, entry.promise_id), reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class PortalPromise:
    """What a customer sees: that we promised something by a date, and whether it is done."""

    conversation_number: int
    due_at: datetime
    done: bool


def portal_promises(customer: Customer, conversation_id: int | None = None) -> list[PortalPromise]:
    """Dated promises made to this customer in a sent reply (never owner, reason or notes)."""
    rows = Promise.objects.filter(
        customer=customer,
        message__isnull=False,
        due_at__isnull=False,
        state__in=[Promise.State.OPEN, Promise.State.CLOSED],
    ).exclude(outcome=Promise.Outcome.CANCELLED)
    if conversation_id is not None:
        rows = rows.filter(conversation_id=conversation_id)
    values = rows.order_by("due_at").values_list("conversation__number", "due_at", "state")[:50]
    return [
        PortalPromise(number, due, state == Promise.State.CLOSED)
        for number, due, state in values
        if due is not None
    ]


def ledger_figures(*, since: datetime, until: datetime, owner: Agent | None = None) -> dict[str, int]:
    """How promises closed in [since, until) ended, by outcome, plus "open" and "overdue" now."""
    closed = Promise.objects.filter(state=Promise.State.CLOSED, closed_at__gte=since, closed_at__lt=until)
    open_ = Promise.objects.filter(state=Promise.State.OPEN)
    if owner is not None:
        closed, open_ = closed.filter(owner=owner), open_.filter(owner=owner)
    figures = {outcome: 0 for outcome in Promise.Outcome.values}
    for row in closed.values("outcome").annotate(n=Count("id")):
        figures[row["outcome"]] = row["n"]
    counts = open_.aggregate(open=Count("id"), overdue=Count("id", filter=Q(overdue_at__isnull=False)))
    figures["open"] = counts["open"]
    figures["overdue"] = counts["overdue"]
    return figures


def open_promises_of(owner: Agent, limit: int = 100) -> list[Promise]:
    return list(
        Promise.objects.filter(owner=owner, state=Promise.State.OPEN)
        .select_related("conversation")
        .order_by("due_at", "id")[:limit]
    )
