"""Promises on the customer's timeline (memory.timeline source), for agents only."""

from __future__ import annotations

from goodwill.accounts.models import Agent
from goodwill.customers.models import Customer
from goodwill.memory.timeline import Cursor, Entry, conversation_rows_visible_to, conversation_url, older_than
from goodwill.promises.models import Promise


def promise_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    rows = conversation_rows_visible_to(agent, Promise.objects.filter(customer=customer))
    rows = rows.exclude(state=Promise.State.DROPPED).select_related("conversation", "owner")
    entries = []
    for promise in older_than(rows, cursor, "promise", "created_at").order_by("-created_at", "-pk")[:limit]:
        due = f" (due {promise.due_at:%Y-%m-%d %H:%M} UTC)" if promise.due_at else " (no date yet)"
        entries.append(
            Entry(
                at=promise.created_at, kind="promise", id=promise.pk,
                title=f"Promise on #{promise.conversation.number}"
                + (f": {promise.get_outcome_display().lower()}" if promise.outcome else f" ({promise.state})"),
                body=f"“{promise.text}”{due}", url=conversation_url(promise.conversation.number),
                actor=promise.owner.display_name if promise.owner else "Goodwill", label="Promise",
            )
        )
    return entries
