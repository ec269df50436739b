"""Reads: a conversation's call-backs, the "Call-backs due" view, a customer's call-backs for the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.callbacks.models import CallBack
from goodwill.conversations.selectors import InboxView
from goodwill.core.prepared import PreparedQuery
from goodwill.customers.models import Customer

DUE_WITHIN = timedelta(hours=2)


def callbacks_of(conversation_id: int) -> QuerySet[CallBack]:
    return CallBack.objects.filter(conversation_id=conversation_id).select_related("owner").order_by(
        "-state", "due_at"
    )


def _due(agent: Agent) -> Q:
    # Evaluated per request: overdue ones and those due in the next two hours, still open.
    soon = timezone.now() + DUE_WITHIN
    due = CallBack.objects.filter(state=CallBack.State.OPEN, due_at__lte=soon).values("conversation_id")
    return Q(pk__in=due)


DUE_VIEW = InboxView("callbacks", "Call-backs due", "recent", _due)


# Built once per process: the inbox asks on every page for its rows' badges (core.prepared).
_OPEN_OF = PreparedQuery(
    lambda ids: (
        CallBack.objects.filter(conversation_id__in=ids, state=CallBack.State.OPEN)
        .order_by("due_at")
        .values_list("conversation_id", "due_at", "phone")
    )
)


def open_callbacks_for(conversation_ids: list[int]) -> dict[int, CallBack]:
    """The next open call-back of each conversation (one query), carrying only its
    conversation, due time and phone number."""
    found: dict[int, CallBack] = {}
    for pk, due_at, phone in _OPEN_OF.rows(conversation_ids):
        if pk not in found:
            found[pk] = CallBack(conversation_id=pk, due_at=due_at, phone=phone, state=CallBack.State.OPEN)
    return found


def callback_timeline_entries(
    customer: Customer, *, before: datetime | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Call-backs for the customer timeline, newest scheduling first: (at, kind, title, body, url)."""
    rows = CallBack.objects.filter(customer=customer).select_related("owner", "conversation")
    if before is not None:
        rows = rows.filter(created_at__lt=before)
    entries = []
    for callback in rows.order_by("-created_at", "-pk")[:limit]:
        entries.append(
            {
                "at": callback.created_at,
                "kind": "callback",
                "title": f"Call-back {callback.get_state_display().lower()}: {callback.phone}",
                "body": f"Due {callback.due_at:%Y-%m-%d %H:%M} UTC"
                + (f", by {callback.owner.display_name}" if callback.owner else "")
                + (f". {callback.note}" if callback.note else ""),
                "url": f"/c/{callback.conversation.number}/",
            }
        )
    return entries
