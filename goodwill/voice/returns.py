"""Who came back after answering: `Survey.came_back_after`, kept up to date by a periodic job.

The grid asks, for every answer, whether the customer opened a new conversation or posted a return
within 30 and 90 days. Searching each answer's future on every page view cost seconds at 200,000
answers, so the job `voice.returns` walks the conversations and returns added since its last run
(by id, so imported conversations with old dates count too) and stores, on each answered survey of
those customers, the time from answering to the first of them. The page then only compares a
stored duration. A return that lands between two runs shows on the grid at the next run.

Between runs, a new conversation updates the customer's earlier answers at once (subscriber of
`conversation.opened`, `note_return_from_conversation`), and so does a return posted through the
API (`note_return`): both keep the smallest gap, so the job and the subscriber agree whatever order
they run in. `recompute_returns` sets the field for given answers in one UPDATE (tests, repairs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
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
from goodwill.core.models import Counter, Event
from goodwill.voice.models import ReturnEvent, Survey

BATCH = 50_000
CONVERSATIONS = "voice.returns.conversation"
RETURNS = "voice.returns.return"


def _apply(came: Iterable[tuple[int, int, datetime]]) -> int:
    """For (id, customer, when) rows, set each answered survey's first return; returns surveys changed."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for _pk, customer_id, when in came:
        times[customer_id].append(when)
    if not times:
        return 0
    changed = []
    surveys = Survey.objects.filter(customer_id__in=list(times), answered_at__isnull=False).only(
        "pk", "customer_id", "answered_at", "came_back_after"
    )
    for survey in surveys.iterator(chunk_size=5000):
        assert survey.answered_at is not None
        later = [when for when in times[survey.customer_id] if when > survey.answered_at]
        if not later:
            continue
        after = min(later) - survey.answered_at
        if survey.came_back_after is None or after < survey.came_back_after:
            survey.came_back_after = after
            changed.append(survey)
    Survey.objects.bulk_update(changed, ["came_back_after"], batch_size=2000)
    return len(changed)


def _walk(name: str, rows: QuerySet[Any], limit: int | None) -> tuple[int, int]:
    """Process rows with id above the counter `name`, BATCH at a time; returns (rows seen, surveys changed)."""
    seen = changed = 0
    while limit is None or seen < limit:
        with transaction.atomic():
            counter, _ = Counter.objects.select_for_update().get_or_create(name=name)
            batch = list(rows.filter(pk__gt=counter.value).order_by("pk")[:BATCH])
            if not batch:
                break
            changed += _apply(batch)
            counter.value = batch[-1][0]
            counter.save(update_fields=["value"])
        seen += len(batch)
    return seen, changed


def refresh_returns(now: datetime | None = None, *, limit: int | None = 200_000) -> str:
    """Periodic job `voice.returns`: new conversations and posted returns since the last run."""
    conversations = Conversation.objects.values_list("pk", "customer_id", "created_at")
    returns = ReturnEvent.objects.values_list("pk", "customer_id", "at")
    seen, changed = _walk(CONVERSATIONS, conversations, limit)
    more, changed_more = _walk(RETURNS, returns, limit)
    if not (changed or changed_more):
        return ""
    return f"{seen + more} conversations and returns read, {changed + changed_more} answers updated"


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


def recompute_returns(
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
