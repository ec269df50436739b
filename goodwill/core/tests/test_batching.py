"""The database worker runs waiting tasks of a batch-capable subscriber as one batch.

In-process tests for the claim, the batch and its fallback; then real `goodwill worker`
processes on SQLite and PostgreSQL: two at once never run a task twice nor lose one, and a
worker killed in the middle of a batch leaves every task of it to the next worker.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from goodwill.core.batching import batch_subscriber, claim_companions
from goodwill.core.events import handled, run_subscriber
from goodwill.core.models import Event, TaskLease
from goodwill.core.services import record_event
from goodwill.core.sweeper import Maintenance
from goodwill.core.testing import GOODWILL, clean_env, python_json
from goodwill.core.tests import subscribers_for_tests
from goodwill.core.workers import LeasedDatabaseWorker

BATCHED = "goodwill.core.tests.subscribers_for_tests.marks_in_batches"
HELD = "goodwill.core.tests.subscribers_for_tests.marks_held"
MARK = "goodwill.core.tests.subscribers_for_tests.leave_mark"


def make_worker() -> LeasedDatabaseWorker:
    return LeasedDatabaseWorker(
        maintenance=Maintenance("test-worker", "database", periodic=False),  # not started
        stop_timeout=5,
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def enqueue(path: str, count: int) -> list[int]:
    """`count` events, each in a task of its own for the subscriber at `path`; their ids."""
    ids = []
    for n in range(count):
        event = record_event(Event.Kind.CUSTOMER_CHANGED, after={"n": n})
        run_subscriber.enqueue(path, [event.pk])
        ids.append(event.pk)
    return ids


def claim_first() -> DBTaskResult:
    task = DBTaskResult.objects.ready().order_by("enqueued_at").first()
    assert task is not None
    task.claim("test-worker")
    return task


def marks() -> list[dict[str, Any]]:
    return [event.after for event in Event.objects.filter(kind=Event.Kind.OTHER).order_by("id")]


@pytest.mark.django_db
def test_waiting_tasks_of_a_batch_subscriber_run_as_one_batch_with_their_receipts(
    django_assert_max_num_queries: Any,
) -> None:
    ids = enqueue(BATCHED, 20)
    worker = make_worker()
    # Claim, batch and bookkeeping do not grow with the number of tasks: 20 tasks, one batch.
    with django_assert_max_num_queries(20 + 25):  # 20 marks (record_event) + the batch's own
        worker.run_task(claim_first())

    assert [mark["saw"] for mark in marks()] == ids
    assert {mark["batch"] for mark in marks()} == {20}
    assert all(handled(BATCHED, pk) for pk in ids)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert all(len(task.worker_ids) == 1 for task in DBTaskResult.objects.all())
    assert not TaskLease.objects.exists()


@pytest.mark.django_db
def test_a_batch_takes_the_same_number_of_queries_whatever_its_size() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (3, 30):
        enqueue(BATCHED, size)
        with CaptureQueriesContext(connection) as queries:
            make_worker().run_task(claim_first())
        counts.append(len(queries) - size)  # less the subscriber's own mark per event
        assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert counts[0] == counts[1]
    # The first task's lease is one row of the claim's single lease insert, not a transaction of its own.
    leases = [query["sql"] for query in queries if "core_tasklease" in query["sql"]]
    assert len([sql for sql in leases if sql.startswith("INSERT")]) == 1
    assert not TaskLease.objects.exists()


@pytest.mark.django_db
def test_the_claim_leases_the_first_task_with_its_companions() -> None:
    enqueue(BATCHED, 3)
    first = claim_first()
    TaskLease.objects.create(task_id=first.id, worker_id="dead-worker", expires_at=first.enqueued_at)
    companions = claim_companions(first, BATCHED, "test-worker", 5)
    assert len(companions) == 2
    leases = dict(TaskLease.objects.values_list("task_id", "worker_id"))
    assert leases == {task.id: "test-worker" for task in (first, *companions)}


@pytest.mark.django_db
def test_the_batch_is_bounded_and_takes_only_that_subscribers_ready_tasks(settings: Any) -> None:
    settings.TASK_BATCH_LIMIT = 4
    enqueue(BATCHED, 6)
    other = enqueue(MARK, 2)
    first = claim_first()
    assert batch_subscriber(first) == BATCHED
    companions = claim_companions(first, BATCHED, "test-worker", 3)
    assert len(companions) == 3
    assert {task.args_kwargs["args"][0] for task in companions} == {BATCHED}
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    assert running.count() == 4
    assert TaskLease.objects.filter(task_id__in=[task.id for task in companions]).count() == 3
    # A plain subscriber's task is not batched, and another claim skips what is taken.
    plain = DBTaskResult.objects.get(args_kwargs__args__1=[other[0]])
    assert batch_subscriber(plain) is None
    assert len(claim_companions(first, BATCHED, "other-worker", 10)) == 2


@pytest.mark.django_db
def test_a_failing_batch_falls_back_to_each_task_on_its_own_with_its_retries() -> None:
    ids = enqueue(BATCHED, 5)
    subscribers_for_tests.FAIL_ON.add(ids[2])
    try:
        make_worker().run_task(claim_first())
        # The batch rolled back; each task then ran alone: all but the failing one applied,
        # and that one's task re-enqueued itself (attempt 2) for later.
        assert [mark["saw"] for mark in marks()] == [ids[0], ids[1], ids[3], ids[4]]
        assert not handled(BATCHED, ids[2])
        retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        assert retry.args_kwargs == {"args": [BATCHED, [ids[2]]], "kwargs": {"_attempt": 2}}
        run_subscriber.call(BATCHED, [ids[2]])
    finally:
        subscribers_for_tests.FAIL_ON.clear()
    assert sorted(mark["saw"] for mark in marks()) == ids
    assert not TaskLease.objects.exists()


# --- real worker processes ---------------------------------------------------------------

ENQUEUE = """
import json
from goodwill.core.events import run_subscriber
from goodwill.core.models import Event
from goodwill.core.services import record_event
ids = []
for n in range({count}):
    event = record_event(Event.Kind.CUSTOMER_CHANGED, after={{"n": n}})
    run_subscriber.enqueue("{path}", [event.pk])
    ids.append(event.pk)
print(json.dumps(ids))
"""


class Database:
    """Plain SQL on the test's database (SQLite file or PostgreSQL), from the test process."""

    # Tasks of the held subscriber (customer.changed has real subscribers too).
    OURS = "CAST(args_kwargs AS TEXT) LIKE '%marks_held%'"

    def __init__(self, env: dict[str, str]) -> None:
        self.url = env.get("GOODWILL_DATABASE_URL", "")
        self.path = Path(env["GOODWILL_DATA_DIR"]) / "goodwill.sqlite3"

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return list(conn.execute(sql).fetchall())
        with sqlite3.connect(self.path, timeout=20) as conn:
            return list(conn.execute(sql).fetchall())

    def statuses(self) -> dict[str, int]:
        return dict(
            self.rows(
                "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult "
                f"WHERE {self.OURS} GROUP BY status"
            )
        )

    def marks(self) -> list[dict[str, Any]]:
        rows = self.rows("SELECT after FROM core_event WHERE kind = 'other' ORDER BY id")
        return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]

    def worker_ids(self) -> list[list[str]]:
        rows = self.rows(f"SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE {self.OURS}")
        return [row[0] if isinstance(row[0], list) else json.loads(row[0]) for row in rows]


def wait_until(condition: Callable[[], bool], what: str, *, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(params=["sqlite", "postgresql"])
def worker_env(request: pytest.FixtureRequest) -> dict[str, str]:
    extra = {"GOODWILL_TASK_LEASE": "2", "GOODWILL_TASK_BATCH": "25"}
    if request.param == "postgresql":
        data_dir, url = request.getfixturevalue("postgres_data_dir")
        return clean_env(data_dir, GOODWILL_DATABASE_URL=url, **extra)
    return clean_env(request.getfixturevalue("migrated_data_dir"), **extra)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(env: dict[str, str]) -> subprocess.Popen[str]:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [GOODWILL, "worker", "--interval", "0.05"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_two_workers_run_every_task_once_in_batches(
    worker_env: dict[str, str], start_worker: Callable[[dict[str, str]], subprocess.Popen[str]]
) -> None:
    ids = python_json(ENQUEUE.format(count=100, path=HELD), worker_env)
    assert isinstance(ids, list)
    database = Database(worker_env)
    start_worker(worker_env)
    start_worker(worker_env)
    wait_until(lambda: database.statuses() == {"SUCCESSFUL": 100}, "every task to succeed")

    seen = [mark["saw"] for mark in database.marks()]
    assert sorted(seen) == sorted(ids)  # each event applied exactly once: none twice, none lost
    assert max(mark["batch"] for mark in database.marks()) > 1  # tasks really ran together
    assert all(len(workers) == 1 for workers in database.worker_ids())  # no task claimed twice
    receipts = database.rows(f"SELECT COUNT(*) FROM core_eventreceipt WHERE subscriber = '{HELD}'")
    assert receipts == [(100,)]


def test_a_worker_killed_mid_batch_leaves_every_task_of_it_to_the_next(
    worker_env: dict[str, str],
    start_worker: Callable[[dict[str, str]], subprocess.Popen[str]],
    tmp_path: Path,
) -> None:
    ids = python_json(ENQUEUE.format(count=40, path=HELD), worker_env)
    assert isinstance(ids, list)
    database = Database(worker_env)
    hold = tmp_path / "hold"
    hold.mkdir()
    first = start_worker({**worker_env, "GOODWILL_TEST_HOLD": str(hold)})
    wait_until(lambda: (hold / "held").exists(), "the first worker to be inside a batch")
    held = int((hold / "held").read_text())
    assert held > 1
    assert database.statuses().get("RUNNING") == held
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)

    start_worker(worker_env)
    wait_until(lambda: database.statuses() == {"SUCCESSFUL": 40}, "the second worker to finish")
    assert sorted(mark["saw"] for mark in database.marks()) == sorted(ids)  # the killed batch left nothing
    retried = [workers for workers in database.worker_ids() if len(workers) == 2]
    assert len(retried) == held  # every task of the killed batch, claimed again once
