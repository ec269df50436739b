"""When each answering customer first came back: kept on the survey so reports need no per-answer search.

`Survey.came_back_after` is the time from the answer to the customer's first return after it: a
new conversation, or a return (a purchase, a renewal) posted through the API — the rule of
`grid.py`. It is set when the return happens (subscriber of `conversation.opened`, and the API),
keeping the smallest gap when returns are processed out of order, and filled for existing rows
by `refresh_returns` (the migration that added it, the demo seeder). The insights dashboard
counts "came back within 30 days" as `came_back_after <= 30 days` on the answers alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.voice.models import ReturnEvent, Survey


def _first_return(conversations: Any = Conversation, returns: Any = ReturnEvent) -> Least:
    conversation = (
        conversations.objects.filter(
            customer_id=OuterRef("customer_id"), created_at__gt=OuterRef("answered_at")
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    posted = (
        returns.objects.filter(customer_id=OuterRef("customer_id"), at__gt=OuterRef("answered_at"))
        .order_by("at")
        .values("at")[:1]
    )
    first, second = Subquery(conversation), Subquery(posted)
    # SQLite's two-argument MIN is NULL when either side is: both sides fall back to the other.
    return Least(Coalesce(first, second), Coalesce(second, first), output_field=DateTimeField())


def refresh_returns(
    surveys: QuerySet[Any, Any], conversations: Any = Conversation, returns: Any = ReturnEvent
) -> int:
    """Recompute `came_back_after` for these answered surveys from the rows (one UPDATE).

    The models may be a migration's historical ones.
    """
    gap = ExpressionWrapper(
        _first_return(conversations, returns) - F("answered_at"), output_field=DurationField()
    )
    return surveys.filter(answered_at__isnull=False).update(came_back_after=gap)


def note_return(customer_id: int, at: datetime) -> int:
    """The customer came back at `at`: every earlier answer whose known first return is later learns it."""
    gap = ExpressionWrapper(
        Value(at, output_field=DateTimeField()) - F("answered_at"), output_field=DurationField()
    )
    return (
        Survey.objects.filter(customer_id=customer_id, answered_at__lt=at)
        .filter(Q(came_back_after__isnull=True) | Q(came_back_after__gt=gap))
        .update(came_back_after=gap)
    )


def note_return_from_conversation(event: Event) -> None:
    """Subscriber (conversation.opened): a new conversation is a return for the customer's earlier answers."""
    if event.conversation_id is None:
        return
    row = Conversation.objects.filter(pk=event.conversation_id).values("customer_id", "created_at").first()
    if row is not None:
        note_return(row["customer_id"], row["created_at"])
