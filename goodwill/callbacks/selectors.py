"""Reads: a conversation's call-backs, the "Call-backs due" view, a customer's call-backs for the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.callbacks.models import CallBack
from goodwill.conversations.selectors import InboxView
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


def open_callbacks_for(conversation_ids: list[int]) -> dict[int, CallBack]:
    """The next open call-back of each conversation (one query)."""
    found: dict[int, CallBack] = {}
    rows = CallBack.objects.filter(conversation_id__in=conversation_ids, state=CallBack.State.OPEN)
    for callback in rows.order_by("due_at"):
        found.setdefault(callback.conversation_id, callback)
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
