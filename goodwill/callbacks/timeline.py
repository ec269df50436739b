"""Call-backs on the customer's timeline (memory.timeline source)."""

from __future__ import annotations

from goodwill.accounts.models import Agent
from goodwill.callbacks.models import CallBack
from goodwill.customers.models import Customer
from goodwill.memory.timeline import Cursor, Entry, conversation_rows_visible_to, conversation_url, older_than


def callback_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    rows = conversation_rows_visible_to(agent, CallBack.objects.filter(customer=customer))
    rows = older_than(rows.select_related("conversation", "owner"), cursor, "callback", "created_at")
    return [
        Entry(
            at=callback.created_at, kind="callback", id=callback.pk,
            title=f"Call-back {callback.get_state_display().lower()}: {callback.phone}",
            body=f"Due {callback.due_at:%Y-%m-%d %H:%M} UTC" + (f". {callback.note}" if callback.note else ""),
            url=conversation_url(callback.conversation.number),
            actor=callback.owner.display_name if callback.owner else "Goodwill", label="Call-back",
        )
        for callback in rows.order_by("-created_at", "-pk")[:limit]
    ]
