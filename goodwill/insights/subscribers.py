"""Insights hears the seam: a conversation's figures are refreshed right after each change commits."""

from __future__ import annotations

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.insights import rollup


def refresh_figures(event: Event) -> None:
    """Refresh the daily figures of the event's conversation (or of all a changed customer's)."""
    if rollup.rebuilding():
        return  # the rebuild refreshes every conversation with an event since it started
    ids: list[int] = []
    if event.conversation_id:
        ids.append(event.conversation_id)
    if event.kind == Event.Kind.CUSTOMER_CHANGED and event.customer_id:
        ids.extend(Conversation.objects.filter(customer_id=event.customer_id).values_list("pk", flat=True))
    rollup.refresh(ids)


def forget_erased(event: Event) -> None:
    """After a customer's erasure: "open now" loses the conversations that were deleted with them
    (the daily figures keep what they added: counts hold nothing of the person), and the
    conversations kept anonymised move to no organisation, as the customer did."""
    rollup.forget_deleted_conversations()
    customer_id = (event.after or {}).get("customer_id")
    if customer_id:
        rollup.refresh(Conversation.objects.filter(customer_id=customer_id).values_list("pk", flat=True))
