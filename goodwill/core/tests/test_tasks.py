"""Background tasks: the database queue, `goodwill worker`, retries with backoff, and RQ on Redis."""

from __future__ import annotations

import signal
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.core.models import Event
from goodwill.core.tasks import backoff_delay
from goodwill.core.testing import (
    clean_env,
    python_json,
    run_goodwill,
    run_workers_together,
    start_worker,
    wait_until,
)
from goodwill.core.tests.tasks_for_tests import fail_then_mark, leave_mark

MARKS = """
import json
from goodwill.core.models import Event
print(json.dumps([event.after for event in Event.objects.filter(kind="other").order_by("id")]))
"""


def enqueue_in(env: dict[str, str], code: str) -> None:
    """Run `code` in a `goodwill shell`, with the test tasks module imported as `t`."""
    result = run_goodwill(
        ["shell", "-c", f"from goodwill.core.tests import tasks_for_tests as t\n{code}"], env
    )
    assert result.returncode == 0, result.stderr


def test_backoff_doubles_from_ten_seconds_up_to_an_hour() -> None:
    assert [backoff_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert backoff_delay(30) == timedelta(hours=1)
    assert backoff_delay(3, base=1.0) == timedelta(seconds=4)


@pytest.mark.django_db
def test_a_failing_task_enqueues_its_next_attempt_with_backoff(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    before = timezone.now()

    fail_then_mark.call(str(counter), "later")

    retry = DBTaskResult.objects.get()
    assert retry.task_path == "goodwill.core.tests.tasks_for_tests.fail_then_mark"
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    assert retry.args_kwargs["args"] == [str(counter), "later"]
    assert before + timedelta(seconds=10) <= retry.run_after <= timezone.now() + timedelta(seconds=10)
    assert not Event.objects.filter(kind=Event.Kind.OTHER).exists()


@pytest.mark.django_db
def test_the_second_retry_waits_twice_as_long(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    before = timezone.now()

    fail_then_mark.call(str(counter), "later", failures=5, _attempt=2)

    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["kwargs"] == {"failures": 5, "_attempt": 3}
    assert before + timedelta(seconds=20) <= retry.run_after <= timezone.now() + timedelta(seconds=20)


@pytest.mark.django_db
def test_a_task_gives_up_after_its_last_attempt(tmp_path: Path) -> None:
    counter = tmp_path / "runs"

    with pytest.raises(RuntimeError, match="planned failure"):
        fail_then_mark.call(str(counter), "never", failures=5, _attempt=3)

    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_successful_task_is_not_retried(tmp_path: Path) -> None:
    leave_mark.call("done")

    assert not DBTaskResult.objects.exists()
    assert Event.objects.get(kind=Event.Kind.OTHER).after == {"mark": "done"}


def test_the_worker_runs_queued_tasks_from_the_database(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    enqueue_in(env, "t.leave_mark.enqueue('first')\nt.leave_mark.enqueue('second')")
    assert python_json(MARKS, env) == []

    worker = run_goodwill(["worker", "--batch"], env)

    assert worker.returncode == 0, worker.stderr
    assert python_json(MARKS, env) == [{"mark": "first"}, {"mark": "second"}]
    statuses = python_json(
        "import json\nfrom django_tasks_db.models import DBTaskResult\n"
        "print(json.dumps(sorted(DBTaskResult.objects.exclude(task_path__endswith='run_periodic_job')"
        ".values_list('status', flat=True))))",
        env,
    )
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL"]


@pytest.fixture(params=["sqlite", "postgresql"])
def queue_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """A migrated data folder on SQLite, or on a new PostgreSQL database."""
    if request.param == "sqlite":
        return clean_env(request.getfixturevalue("migrated_data_dir"))
    data_dir, url = request.getfixturevalue("postgres_data_dir")
    return clean_env(data_dir, GOODWILL_DATABASE_URL=url)


def test_two_workers_share_the_queue_and_run_each_task_once(queue_env: dict[str, str]) -> None:
    enqueue_in(queue_env, "for n in range(16):\n    t.leave_mark.enqueue(f'job-{n}')")

    ran = run_workers_together(queue_env)

    assert [status for status, _output in ran] == [0, 0], ran
    marks = sorted(mark["mark"] for mark in python_json(MARKS, queue_env))
    assert marks == sorted(f"job-{n}" for n in range(16))


def test_the_worker_keeps_running_picks_up_new_tasks_and_stops_on_sigterm(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    worker = start_worker(env, "--interval", "0.1")
    try:
        enqueue_in(env, "t.leave_mark.enqueue('while running')")
        assert wait_until(lambda: python_json(MARKS, env), process=worker, what="the mark") == [
            {"mark": "while running"}
        ]
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=60)[0]

    assert worker.returncode == 0, output
    assert "shutting down gracefully" in output


def test_the_worker_retries_a_failed_task_until_it_succeeds(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    counter = migrated_data_dir / "runs"
    enqueue_in(env, f"t.fail_then_mark_now.enqueue({str(counter)!r}, 'third time lucky', failures=2)")

    worker = run_goodwill(["worker", "--batch"], env)

    assert worker.returncode == 0, worker.stderr
    assert counter.read_text() == "3"
    assert python_json(MARKS, env) == [{"mark": "third time lucky", "runs": 3}]
    attempts = python_json(
        "import json\nfrom django_tasks_db.models import DBTaskResult\n"
        "print(json.dumps([r.args_kwargs['kwargs'].get('_attempt', 1)"
        " for r in DBTaskResult.objects.exclude(task_path__endswith='run_periodic_job').order_by('enqueued_at')]))",
        env,
    )
    assert attempts == [1, 2, 3]


def test_a_retry_waits_for_its_backoff_before_the_worker_takes_it(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir)
    counter = migrated_data_dir / "runs"
    enqueue_in(env, f"t.fail_then_mark.enqueue({str(counter)!r}, 'patience')")

    worker = run_goodwill(["worker", "--batch"], env)

    assert worker.returncode == 0, worker.stderr
    assert counter.read_text() == "1"
    assert python_json(MARKS, env) == []
    waiting = python_json(
        "import json\nfrom django_tasks_db.models import DBTaskResult\n"
        "print(json.dumps(DBTaskResult.objects.filter(status='READY').count()))",
        env,
    )
    assert waiting == 1


def test_the_worker_runs_tasks_through_rq_when_redis_is_configured(
    migrated_data_dir: Path, redis_url: str
) -> None:
    env = clean_env(migrated_data_dir, GOODWILL_REDIS_URL=redis_url)
    label = f"via-redis-{uuid.uuid4().hex[:8]}"
    enqueue_in(env, f"t.leave_mark.enqueue({label!r})")
    in_database_queue = python_json(
        "import json\nfrom django_tasks_db.models import DBTaskResult\nprint(json.dumps(DBTaskResult.objects.count()))",
        env,
    )
    assert in_database_queue == 0

    worker = run_goodwill(["worker", "--batch"], env)

    assert worker.returncode == 0, worker.stderr
    assert {"mark": label} in python_json(MARKS, env)


def test_rq_retries_a_failed_task(migrated_data_dir: Path, redis_url: str) -> None:
    env = clean_env(migrated_data_dir, GOODWILL_REDIS_URL=redis_url)
    counter = migrated_data_dir / "runs"
    label = f"rq-retry-{uuid.uuid4().hex[:8]}"
    enqueue_in(env, f"t.fail_then_mark_now.enqueue({str(counter)!r}, {label!r}, failures=1)")

    for _ in range(3):
        worker = run_goodwill(["worker", "--batch"], env)
        assert worker.returncode == 0, worker.stderr
        if counter.exists() and counter.read_text() == "2":
            break

    assert counter.read_text() == "2"
    assert {"mark": label, "runs": 2} in python_json(MARKS, env)
