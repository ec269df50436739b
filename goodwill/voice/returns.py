"""Who came back after answering: `Survey.came_back_after`, one rule, kept fresh by a subscriber.

The grid asks, for every answer, whether the customer opened a new conversation or posted a return
within 30 and 90 days. Searching each answer's future on every page view cost seconds at 200,000
answers, so each answered survey stores the time from answering to the customer's first return,
and the page compares a stored duration.

One rule sets it: `recompute_for_customers` recomputes, in one UPDATE, every answer of the given
customers from their conversations and posted returns (`recompute_returns`). It runs

- at once, from the subscriber `customer_came_back` (`conversation.opened`, and
  `customer.returned` posted through the API; its batch form takes many events in one go), and
  from `customers_merged` (`customer.changed` with `merged_from`: the survivor's answers now see
  the merged record's conversations);
- as repair, from the periodic job `voice.returns` (`refresh_returns`), which walks the
  conversations and returns added since its last run (by id), for rows written without an event
  (imports, the demo seeder). A conversation whose opening the subscriber has handled already
  (its receipt) is skipped, so a conversation opened live is handled once. It also rebuilds the
  extra-mile report's stale days (`extra_mile_days`), which the same subscribers mark.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import (
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Least

from goodwill.conversations.models import Conversation
from goodwill.core.models import Counter, Event, EventReceipt
from goodwill.voice import extra_mile_days
from goodwill.voice.models import ReturnEvent, Survey

BATCH = 50_000
CONVERSATIONS = "voice.returns.conversation"
RETURNS = "voice.returns.return"


def recompute_for_customers(
    customer_ids: QuerySet[Any, Any] | list[int], *, returned_at: Any = None, first_return: Any = None
) -> int:
    """Recompute these customers' answers and mark their extra-mile days stale (those returns
    from `first_return` (default: `returned_at`) to `returned_at` can change, else all); returns
    the answers set."""
    extra_mile_days.mark_customers(customer_ids, returned_at=returned_at, first_return=first_return)
    return recompute_returns(Survey.objects.filter(customer_id__in=customer_ids))


def customer_came_back(event: Event) -> None:
    """Subscriber (conversation.opened, customer.returned): the customer's earlier answers learn it."""
    customers_came_back([event])


def customers_came_back(events: list[Event]) -> None:
    """The batch form (see core.events.run_subscriber): every customer of the events in one
    recompute, marking the days that returns from the first event to the last can change (as the
    repair walk does for a batch of rows)."""
    heard = [event for event in events if event.customer_id is not None]
    if not heard:
        return
    times = [event.created_at for event in heard]
    customers = sorted({event.customer_id for event in heard if event.customer_id is not None})
    recompute_for_customers(customers, returned_at=max(times), first_return=min(times))


customer_came_back.batch = customers_came_back  # type: ignore[attr-defined]
SUBSCRIBER = f"{__name__}.{customer_came_back.__name__}"  # its path in goodwill/subscribers.py


def customers_merged(event: Event) -> None:
    """Subscriber (customer.changed): after a merge the survivor has the merged record's history."""
    if event.customer_id is not None and isinstance(event.after, dict) and "merged_from" in event.after:
        recompute_for_customers([event.customer_id])


def _walk(
    name: str,
    rows: QuerySet[Any, Any],
    at: str,
    limit: int | None,
    heard: Callable[[int, int], Exists] | None = None,
) -> tuple[int, int]:
    """Rows with id above the counter `name`, BATCH at a time; returns (rows seen, answers set).

    Each row is a return at its field `at`: only the extra-mile days those returns can change are
    marked (a customer's whole history would be rebuilt for every new conversation). Rows
    for which `heard(after id, last id)` holds were handled by the subscriber already are left out."""
    seen = changed = 0
    while limit is None or seen < limit:
        with transaction.atomic():
            counter, _ = Counter.objects.select_for_update().get_or_create(name=name)
            ids = list(rows.filter(pk__gt=counter.value).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            batch = rows.filter(pk__gt=counter.value, pk__lte=ids[-1])
            if heard is not None:
                batch = batch.filter(~heard(counter.value, ids[-1]))
            span = batch.aggregate(first=Min(at), last=Max(at))
            if span["last"] is not None:  # else every row of the batch was heard already
                changed += recompute_for_customers(
                    batch.values("customer_id"), returned_at=span["last"], first_return=span["first"]
                )
            counter.value = ids[-1]
            counter.save(update_fields=["value"])
        seen += len(ids)
    return seen, changed


def repair_returns(limit: int | None = 200_000) -> tuple[int, int, int, int]:
    """The repair for rows added without an event: conversations and posted returns added since the
    last run; (conversations read, answers set, returns read, answers set)."""
    seen, changed = _walk(CONVERSATIONS, Conversation.objects.all(), "created_at", limit, _opening_heard)
    more, changed_more = _walk(RETURNS, ReturnEvent.objects.all(), "at", limit)
    return seen, changed, more, changed_more


def _opening_heard(after: int, last: int) -> Exists:
    """The subscriber has a receipt for the conversation's opening. The id range is repeated on
    the events so that PostgreSQL reads only the batch's events when it hashes (a large batch),
    not every opening ever recorded."""
    return Exists(
        EventReceipt.objects.filter(
            subscriber=SUBSCRIBER,
            event__conversation_id=OuterRef("pk"),
            event__conversation_id__gt=after,
            event__conversation_id__lte=last,
            event__kind=Event.Kind.CONVERSATION_OPENED,
        )
    )


def refresh_returns(now: Any = None, *, limit: int | None = 200_000) -> str:
    """Periodic job `voice.returns`: repair for rows added without an event, then stale extra-mile days."""
    seen, changed, more, changed_more = repair_returns(limit)
    days = extra_mile_days.rebuild_stale_days(limit=None if limit is None else extra_mile_days.DAYS_PER_RUN)
    done = []
    if changed or changed_more:
        done.append(
            f"{seen + more} conversations and returns read, {changed + changed_more} answers recomputed"
        )
    if days:
        done.append(f"{days} extra-mile days rebuilt")
    return "; ".join(done)


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
