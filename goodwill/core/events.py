"""The event seam: services announce what happened; feature apps react, after the commit.

Every service records a `core.Event` inside its transaction (`core.services.record_event`, or
`record_events` for many). Recording announces it: once the transaction commits, each
subscriber of the event's topics (listed in `goodwill/subscribers.py`) runs as a background
task. Nothing runs inside the writer's transaction, and a rollback announces nothing.

Topics are event kinds (`message.received`, `conversation.status`…) plus topics derived from
them: `conversation.solved` and `conversation.reopened` from status changes, `customer.erased`
from the audit event of an erasure (kind "other", `after.action` "customer.erased").

A subscriber is a function `handler(event: Event) -> None`, named by dotted path so the core
never imports a feature app; it may also offer a batch form, `handler.batch(events)`, that
applies many events at once (see `run_subscriber`). Guarantees:

- **after commit**: a handler only ever sees committed events;
- **at least once**: a failing handler is retried with backoff (`core.tasks.retrying_task`);
- **exactly-once effect for database writes**: a receipt row per (subscriber, event) is written
  in the same transaction as the handler's own writes, so a retried or duplicated task never
  applies an event twice. Effects outside the database (mail, HTTP) must be idempotent
  themselves. Events of one batch reach a handler in the order they were recorded; an event
  whose row is gone (rolled back in a savepoint) is skipped.
- **no subscriber, no cost**: nothing is queued for a topic nobody listens to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from goodwill.core.bulk import insert_rows
from goodwill.core.models import Event, EventReceipt
from goodwill.core.tasks import retrying_task

logger = logging.getLogger("goodwill.events")

SOLVED = "conversation.solved"
REOPENED = "conversation.reopened"
CUSTOMER_ERASED = "customer.erased"
_DONE_STATUSES = ("solved", "closed")
SUBSCRIBER_ATTEMPTS = 8

_overrides: list[Mapping[str, tuple[str, ...]]] = []


def subscribers() -> Mapping[str, tuple[str, ...]]:
    """Topic → dotted paths of its handlers: `goodwill.subscribers.SUBSCRIBERS`, unless overridden."""
    if _overrides:
        return _overrides[-1]
    from goodwill.subscribers import SUBSCRIBERS  # project configuration, read lazily

    return SUBSCRIBERS


@contextmanager
def subscribed(mapping: Mapping[str, tuple[str, ...]]) -> Iterator[None]:
    """Use `mapping` instead of `goodwill/subscribers.py` while inside the block (for tests)."""
    _overrides.append(mapping)
    try:
        yield
    finally:
        _overrides.pop()


def topics_of(event: Event) -> tuple[str, ...]:
    """The event's kind, plus `conversation.solved` / `conversation.reopened` for status changes
    and `customer.erased` for an erasure."""
    if event.kind == Event.Kind.OTHER and (event.after or {}).get("action") == CUSTOMER_ERASED:
        return (event.kind, CUSTOMER_ERASED)
    if event.kind != Event.Kind.STATUS_CHANGED:
        return (event.kind,)
    before = (event.before or {}).get("status")
    after = (event.after or {}).get("status")
    topics = [event.kind]
    if after == "solved":
        topics.append(SOLVED)
    if before in _DONE_STATUSES and after not in _DONE_STATUSES:
        topics.append(REOPENED)
    return tuple(topics)


def announce(event: Event) -> None:
    """Run the event's subscribers after the current transaction commits."""
    announce_many([event])


def announce_many(events: Iterable[Event]) -> None:
    """Like `announce` for many saved events: one task per subscriber per committed transaction."""
    table = subscribers()
    batches: dict[str, list[int]] = {}
    for event in events:
        for topic in topics_of(event):
            for path in table.get(topic, ()):
                batches.setdefault(path, []).append(event.pk)
    if not batches:
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _pending(connection).add(batches)
    else:  # autocommit: the event is committed already
        batch = _Batch()
        batch.add(batches)
        batch()


class _Batch:
    """Events announced in one transaction, queued when it commits (one on_commit hook)."""

    def __init__(self) -> None:
        self.events: dict[str, dict[int, None]] = {}  # path → event ids, in order, once each
        self.done = False

    def add(self, batches: dict[str, list[int]]) -> None:
        for path, ids in batches.items():
            self.events.setdefault(path, {}).update(dict.fromkeys(ids))

    def __call__(self) -> None:
        self.done = True
        # One commit for all of the transaction's tasks when they are rows in the database
        # (each commit is a disk sync on SQLite); RQ and the immediate backend enqueue as before.
        with transaction.atomic() if _tasks_in_database() else nullcontext():
            for path, ids in self.events.items():
                run_subscriber.enqueue(path, list(ids))


def _tasks_in_database() -> bool:
    return bool(settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend")


def _pending(connection: Any) -> _Batch:
    """The batch of the transaction in progress, registered with on_commit the first time."""
    batch: _Batch | None = getattr(connection, "_goodwill_events", None)
    # A batch whose hook ran, or whose transaction (or savepoint) rolled back, is over.
    if batch is None or batch.done or not any(hook[1] is batch for hook in connection.run_on_commit):
        batch = _Batch()
        connection._goodwill_events = batch  # type: ignore[attr-defined]
        transaction.on_commit(batch)
    return batch


@retrying_task(max_attempts=SUBSCRIBER_ATTEMPTS)
def run_subscriber(path: str, event_ids: list[int]) -> None:
    """Give each event to the handler at `path`, once: events with a receipt are skipped.

    Each event is handled in its own transaction with its receipt; a failure stops the batch
    (keeping the order) and the retry starts again after the events already handled.

    A handler with a batch form (`handler.batch`, taking the list of events in order) gets
    the whole batch at once when it has more than one event: the receipts of all of them
    and the batch's writes are one transaction, so the batch applies entirely or not at all.
    When the batch form fails (or another run holds one of the receipts) the events go
    through the one-at-a-time path above, so the events before a failing one are applied
    and the retry resumes after them, as without a batch form.
    """
    handler = import_string(path)
    events = list(Event.objects.filter(pk__in=event_ids).order_by("pk"))
    batch = getattr(handler, "batch", None)
    if batch is not None and len(events) > 1 and _run_batch(path, batch, events):
        return
    for event in events:
        with transaction.atomic():
            if _take_receipt(path, event):
                handler(event)


def apply_batch(path: str, event_ids: Iterable[int], also: Callable[[], None]) -> bool:
    """Apply the events of several tasks of the subscriber at `path` with its batch form.

    One transaction holds the receipts, the handler's writes and `also()` (the worker marks
    the tasks done there), so either all of it commits or none of it does. False (nothing
    applied) when the handler has no batch form, or it raised: the worker then runs each
    task on its own (`run_subscriber`), with the usual retries.
    """
    handler = import_string(path)
    batch = getattr(handler, "batch", None)
    if batch is None:
        return False
    events = list(Event.objects.filter(pk__in=set(event_ids)).order_by("pk"))
    return _run_batch(path, batch, events, also=also)


def _run_batch(path: str, batch: Any, events: list[Event], also: Callable[[], None] | None = None) -> bool:
    """Apply `events` with the batch form in one transaction with their receipts (and `also()`).

    False (nothing applied) when the batch form raised or a receipt was taken meanwhile:
    the caller then goes one event at a time.
    """
    try:
        with transaction.atomic():
            done = set(
                EventReceipt.objects.filter(subscriber=path, event__in=events).values_list(
                    "event_id", flat=True
                )
            )
            todo = [event for event in events if event.pk not in done]
            if todo:
                now = timezone.now()  # as auto_now_add sets it
                insert_rows(
                    EventReceipt,
                    [{"subscriber": path, "event_id": event.pk, "created_at": now} for event in todo],
                )
                batch(todo)
            if also is not None:
                also()
    except Exception:
        logger.warning("batch of %d events for %s failed; one at a time", len(events), path, exc_info=True)
        return False
    return True


def _take_receipt(path: str, event: Event) -> bool:
    """Write the receipt; False when another run already holds it (it waits for that run to end)."""
    try:
        with transaction.atomic():
            EventReceipt.objects.create(subscriber=path, event=event)
    except IntegrityError:
        return False
    return True


def handled(path: str, event: Event | int) -> bool:
    """True when the handler at `path` has applied `event`."""
    pk: Any = event.pk if isinstance(event, Event) else event
    return EventReceipt.objects.filter(subscriber=path, event_id=pk).exists()
