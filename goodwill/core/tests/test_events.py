"""The event seam: announced after commit, one task per subscriber, each event applied once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.conversations.services import (
    InboundMessage,
    change_status,
    open_conversation,
    receive_message,
    receive_messages_in_bulk,
)
from goodwill.core.events import handled, run_subscriber, subscribed
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.core.tests import subscribers_for_tests

pytestmark = pytest.mark.django_db

MARK = "goodwill.core.tests.subscribers_for_tests.leave_mark"
FAILS_ONCE = "goodwill.core.tests.subscribers_for_tests.fails_once"


def marks() -> list[int]:
    """Ids of the events the test subscribers saw, in the order they saw them."""
    return [event.after["saw"] for event in Event.objects.filter(kind=Event.Kind.OTHER).order_by("id")]


def queued() -> list[tuple[str, list[int]]]:
    return [
        (task.args_kwargs["args"][0], task.args_kwargs["args"][1])
        for task in DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by(
            "enqueued_at"
        )
    ]


def run_queued() -> None:
    for path, ids in queued():
        run_subscriber.call(path, ids)


def test_an_event_is_announced_only_after_its_transaction_commits(
    customer, django_capture_on_commit_callbacks
):
    with (
        subscribed({"customer.changed": (MARK,)}),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        event = record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer)
        assert queued() == []  # not while the writer's transaction is open
    assert queued() == [(MARK, [event.pk])]
    run_queued()
    assert marks() == [event.pk]


def test_a_rolled_back_event_is_never_announced(customer, django_capture_on_commit_callbacks):
    with (
        subscribed({"customer.changed": (MARK,)}),
        django_capture_on_commit_callbacks(execute=True) as hooks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer)
        raise RuntimeError("the change failed")
    assert hooks == []
    assert queued() == []


def test_no_subscriber_costs_no_task(customer, django_capture_on_commit_callbacks):
    with (
        subscribed({"conversation.priority": (MARK,)}),
        django_capture_on_commit_callbacks(execute=True) as hooks,
    ):
        open_conversation(customer=customer, subject="Hi", channel="email", text="Hello")
    assert hooks == []
    assert queued() == []


def test_one_task_per_subscriber_carries_every_event_of_the_transaction(
    customer, agent, django_capture_on_commit_callbacks
):
    table = {"conversation.opened": (MARK, FAILS_ONCE), "conversation.status": (MARK,)}
    with subscribed(table), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        conversation, _ = open_conversation(customer=customer, subject="Hi", channel="email", text="Hello")
        change_status(conversation, "pending", by=agent)
    opened = Event.objects.get(kind=Event.Kind.CONVERSATION_OPENED)
    status = Event.objects.get(kind=Event.Kind.STATUS_CHANGED)
    assert sorted(queued()) == sorted([(MARK, [opened.pk, status.pk]), (FAILS_ONCE, [opened.pk])])


def test_each_subscriber_applies_each_event_once_even_when_its_task_runs_twice(customer):
    events = [record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer) for _ in range(3)]
    ids = [event.pk for event in events]
    run_subscriber.call(MARK, ids)
    run_subscriber.call(MARK, ids)  # a second worker, or a retry, with the same batch
    assert marks() == ids
    assert all(handled(MARK, event) for event in events)


def test_a_failing_subscriber_is_retried_without_applying_handled_events_again(customer):
    first, second, third = (record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer) for _ in range(3))
    subscribers_for_tests.FAIL_ON.add(second.pk)
    run_subscriber.call(FAILS_ONCE, [first.pk, second.pk, third.pk])
    assert marks() == [first.pk]  # the failed event's own writes rolled back with it
    assert not handled(FAILS_ONCE, second)
    retry = DBTaskResult.objects.get(task_path="goodwill.core.events.run_subscriber")
    assert retry.args_kwargs == {
        "args": [FAILS_ONCE, [first.pk, second.pk, third.pk]],
        "kwargs": {"_attempt": 2},
    }
    run_subscriber.call(FAILS_ONCE, [first.pk, second.pk, third.pk], _attempt=2)
    assert marks() == [first.pk, second.pk, third.pk]


def test_an_event_whose_row_is_gone_is_skipped(customer):
    kept = record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer)
    run_subscriber.call(MARK, [kept.pk, kept.pk + 1000])
    assert marks() == [kept.pk]


def test_status_changes_announce_solved_and_reopened(customer, agent, django_capture_on_commit_callbacks):
    with subscribed({}):  # no batch left pending in the test's never-committed transaction
        conversation, _ = open_conversation(customer=customer, subject="Hi", channel="email", text="Hello")
    with subscribed({"conversation.solved": (MARK,), "conversation.reopened": (FAILS_ONCE,)}):
        with django_capture_on_commit_callbacks(execute=True):
            change_status(conversation, "pending", by=agent)
        assert queued() == []
        with django_capture_on_commit_callbacks(execute=True):
            change_status(conversation, "solved", by=agent)
        solved = Event.objects.filter(kind=Event.Kind.STATUS_CHANGED).last()
        with django_capture_on_commit_callbacks(execute=True):
            receive_message(conversation, customer=customer, text="Still broken")
        reopened = Event.objects.filter(kind=Event.Kind.STATUS_CHANGED).last()
    assert solved is not None and reopened is not None
    assert queued() == [(MARK, [solved.pk]), (FAILS_ONCE, [reopened.pk])]


def test_the_bulk_path_announces_too(customer, django_capture_on_commit_callbacks):
    with subscribed({}):  # no batch left pending in the test's never-committed transaction
        existing, _ = open_conversation(customer=customer, subject="Old", channel="email", text="Hi")
    items = [
        InboundMessage(customer=customer, channel="email", at=timezone.now(), text="New", subject="New"),
        InboundMessage(
            customer=customer, channel="email", at=timezone.now(), text="More", conversation=existing
        ),
    ]
    with (
        subscribed({"conversation.opened": (MARK,), "message.received": (MARK,)}),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        receive_messages_in_bulk(items)
    fresh = list(
        Event.objects.filter(pk__gt=Event.objects.get(conversation=existing, kind="conversation.opened").pk)
    )
    assert [kind for kind in (event.kind for event in fresh)] == ["conversation.opened", "message.received"]
    assert queued() == [(MARK, [event.pk for event in fresh])]
    run_queued()
    assert marks() == [event.pk for event in fresh]


BATCHED = "goodwill.core.tests.subscribers_for_tests.marks_in_batches"


def batch_sizes() -> list[int | None]:
    """For each mark, the size of the batch it was applied in (None: one at a time)."""
    return [event.after.get("batch") for event in Event.objects.filter(kind=Event.Kind.OTHER).order_by("id")]


def test_a_batch_form_applies_the_batch_once_even_when_its_task_runs_twice(customer):
    ids = [record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer).pk for _ in range(3)]
    run_subscriber.call(BATCHED, ids)
    run_subscriber.call(BATCHED, ids)  # a second worker, or a retry, with the same batch
    assert marks() == ids
    assert batch_sizes() == [3, 3, 3]  # one call of the batch form
    assert all(handled(BATCHED, pk) for pk in ids)


def test_a_batch_form_gets_only_the_events_without_a_receipt(customer):
    ids = [record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer).pk for _ in range(3)]
    run_subscriber.call(BATCHED, ids[:1])  # one event: the one-at-a-time path
    run_subscriber.call(BATCHED, ids)
    assert marks() == ids
    assert batch_sizes() == [None, 2, 2]


def test_a_failing_batch_is_rolled_back_and_retried_in_order(customer):
    first, second, third = (record_event(Event.Kind.CUSTOMER_CHANGED, customer=customer) for _ in range(3))
    ids = [first.pk, second.pk, third.pk]
    subscribers_for_tests.FAIL_ON.add(second.pk)
    run_subscriber.call(BATCHED, ids)
    # The batch rolled back whole (no receipt, no mark of it), then one at a time: the
    # first event applied, the second failed and stopped the run before the third.
    assert marks() == [first.pk]
    assert batch_sizes() == [None]
    assert [handled(BATCHED, pk) for pk in ids] == [True, False, False]
    retry = DBTaskResult.objects.get(task_path="goodwill.core.events.run_subscriber")
    assert retry.args_kwargs == {"args": [BATCHED, ids], "kwargs": {"_attempt": 2}}
    run_subscriber.call(BATCHED, ids, _attempt=2)
    assert marks() == ids
    assert batch_sizes() == [None, 2, 2]
    run_subscriber.call(BATCHED, ids, _attempt=3)  # a duplicate of the retry changes nothing
    assert marks() == ids
