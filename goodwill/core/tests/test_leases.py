"""Leases: a task whose worker is killed mid-send runs again on another worker, once.

Real processes, a real SMTP sink on loopback that holds the first delivery, the database
queue (SQLite and PostgreSQL) and RQ on a real Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from goodwill.core.smtp_sink import GatedSink
from goodwill.core.testing import GOODWILL, clean_env, python_json

LEASE = "2"

MAKE_REPLY = """
import json
from goodwill.accounts.services import create_or_update_agent
from goodwill.conversations.services import add_reply
from goodwill.conversations.tests.factories import make_conversation
agent = create_or_update_agent("sam@example.com", name="Sam Agent", role="agent", password="pw-sam-123")[0]
reply = add_reply(make_conversation(), by=agent, text="Your parcel is on its way.")
print(json.dumps(reply.pk))
"""

REPLY_STATE = """
import json
from goodwill.conversations.models import Message
from goodwill.core.models import Delivery
m = Message.objects.get(pk={pk})
d = Delivery.objects.filter(key="reply:{pk}").first()
print(json.dumps([m.delivery, m.message_id, d.resends if d else None]))
"""


def wait_until(condition: Callable[[], bool], what: str, *, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class Workers:
    """`goodwill worker` processes of one test, each in its own process group, logs in files."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.started: list[subprocess.Popen[str]] = []

    def start(self) -> subprocess.Popen[str]:
        log = (self.logs / f"worker-{len(self.started)}.log").open("w")
        process = subprocess.Popen(
            [GOODWILL, "worker", "--interval", "0.1", "--stop-timeout", "60"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def log(self, index: int) -> str:
        return (self.logs / f"worker-{index}.log").read_text()

    def kill_hard(self, process: subprocess.Popen[str]) -> None:
        """kill -9 the worker and its work horse (RQ forks one per job), as an OOM kill would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Workers]]:
    made: list[Workers] = []

    def make(env: dict[str, str]) -> Workers:
        made.append(Workers(env, tmp_path))
        return made[-1]

    yield make
    for group in made:
        group.stop_all()


@pytest.fixture(params=["sqlite", "postgresql", "rq"])
def backend_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """A migrated data folder on each task backend: database queue on SQLite and PostgreSQL, and RQ."""
    if request.param == "postgresql":
        data_dir, url = request.getfixturevalue("postgres_data_dir")
        return clean_env(data_dir, GOODWILL_DATABASE_URL=url, GOODWILL_TASK_LEASE=LEASE)
    data_dir = request.getfixturevalue("migrated_data_dir")
    if request.param == "rq":
        return clean_env(
            data_dir, GOODWILL_REDIS_URL=request.getfixturevalue("redis_url"), GOODWILL_TASK_LEASE=LEASE
        )
    return clean_env(data_dir, GOODWILL_TASK_LEASE=LEASE)


def reply_state(env: dict[str, str], pk: int) -> list[object]:
    state = python_json(REPLY_STATE.format(pk=pk), env)
    assert isinstance(state, list)
    return state


def crash_mid_send(env: dict[str, str], workers: Workers, sink: GatedSink) -> tuple[int, list[object]]:
    """Queue a reply, kill -9 the worker while the sink holds it, start another, wait for SENT."""
    env = {**env, "GOODWILL_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
    workers.env = env
    pk = python_json(MAKE_REPLY, env)
    assert isinstance(pk, int)
    first = workers.start()
    assert sink.arrived.wait(timeout=90), workers.log(0)
    workers.kill_hard(first)
    sink.release.set()
    workers.start()
    wait_until(lambda: reply_state(env, pk)[0] == "sent", "the second worker to deliver the reply")
    return pk, reply_state(env, pk)


def test_a_reply_whose_worker_died_before_the_remote_accepted_it_is_sent_exactly_once(
    backend_env: dict[str, str], workers: Callable[[dict[str, str]], Workers]
) -> None:
    group = workers(backend_env)
    with GatedSink(hold="RCPT") as sink:
        _pk, (delivery, message_id, _resends) = crash_mid_send(backend_env, group, sink)

        assert delivery == "sent"
        assert sink.message_ids() == [message_id]


def test_a_reply_whose_worker_died_after_the_remote_accepted_it_goes_at_most_twice_with_one_message_id(
    backend_env: dict[str, str], workers: Callable[[dict[str, str]], Workers]
) -> None:
    group = workers(backend_env)
    with GatedSink(hold="DATA") as sink:
        _pk, (delivery, message_id, resends) = crash_mid_send(backend_env, group, sink)

        assert delivery == "sent"
        assert sink.message_ids() == [message_id, message_id]
        assert resends == 1
        assert f"resending reply:{_pk} with the same Message-ID <{message_id}>" in group.log(1)


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_sigterm_lets_the_worker_finish_the_send_in_hand(
    backend: str,
    migrated_data_dir: Path,
    request: pytest.FixtureRequest,
    workers: Callable[[dict[str, str]], Workers],
) -> None:
    extra = {"GOODWILL_REDIS_URL": request.getfixturevalue("redis_url")} if backend == "rq" else {}
    with GatedSink(hold="DATA") as sink:
        env = clean_env(
            migrated_data_dir,
            GOODWILL_TASK_LEASE=LEASE,
            GOODWILL_EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            **extra,
        )
        group = workers(env)
        pk = python_json(MAKE_REPLY, env)
        assert isinstance(pk, int)
        worker = group.start()
        assert sink.arrived.wait(timeout=90), group.log(0)

        worker.send_signal(signal.SIGTERM)
        wait_until(
            lambda: "shutting down" in group.log(0).lower() or "warm shut" in group.log(0).lower(), "the stop"
        )
        assert worker.poll() is None  # still finishing the send
        sink.release.set()
        assert worker.wait(timeout=60) == 0, group.log(0)

        delivery, message_id, resends = reply_state(env, pk)
        assert (delivery, resends) == ("sent", 0)
        assert sink.message_ids() == [message_id]
