"""Listening in the worker: can scoring keep up with 500 inbound messages/s of intake?

Stores N inbound messages (the labelled set's texts, repeated, spread over conversations),
then runs the scoring subscriber's work, `listening.services.score_message`, on each in this
one process: read the message, `analyze_message`, store the MessageScore, update the
conversation's mood, look for a sharp turn and for repeated abuse. The task queue's own
overhead (claiming a task, its receipt row) is the same for every subscriber and is not
counted. Then the same messages again through the seam's batch form
(`core.events.run_subscriber` with `--batch` events a task, default 100: receipts, events and
messages read and written in bulk, one transaction a batch). Prints messages/s in wall and CPU
time against the 500/s goal; the worker runs on the other core from intake, so one process's
rate is the figure to compare.

`--queue` (since 2026-12-07, session 5) measures end to end through the real queue instead:
N messages are stored and one `run_subscriber` task per message is enqueued (as intake does
for a lone message), then a real `goodwill worker --batch` process drains the queue, once
with `GOODWILL_TASK_BATCH=1` (one task at a time, as before) and once with the default (the
worker runs up to 100 waiting tasks as one batch, `core.batching`). Wall time is from the
first task started to the last finished (task rows); CPU is the worker process's own
(children's rusage) minus that of a worker started on an empty queue (start-up, warm-up).
Since 2026-12-08 (pgworker) it also prints the worker's CPU and the PostgreSQL backends' CPU
per message over that same span, read from /proc/<pid>/stat every 10 ms while the worker runs
(no start-up to subtract, so it scatters far less on a busy machine); `--profile` uses a CPU
clock (time.process_time), so waiting for a core on a loaded machine is not counted as cost.

    .venv/bin/python bench/listening_worker.py [--messages 3000] [--queue]
    GOODWILL_DATABASE_URL=postgresql://… .venv/bin/python bench/listening_worker.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import database_pids

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GOODWILL_DATA_DIR", "/tmp/goodwill-bench-listening")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
if not os.environ.get("GOODWILL_DATABASE_URL"):
    shutil.rmtree(os.environ["GOODWILL_DATA_DIR"], ignore_errors=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from goodwill.conversations.models import Message  # noqa: E402
from goodwill.conversations.services import open_conversation, receive_message  # noqa: E402
from goodwill.core.events import run_subscriber, subscribed  # noqa: E402
from goodwill.core.models import Event  # noqa: E402
from goodwill.customers.services import create_customer  # noqa: E402
from goodwill.listening.engine import analyze_message, warm_up  # noqa: E402
from goodwill.listening.models import MessageScore  # noqa: E402
from goodwill.listening.services import score_message  # noqa: E402

LABELLED = Path(__file__).resolve().parent.parent / "goodwill" / "listening" / "labelled"
GOAL = 500.0
PATH = "goodwill.listening.subscribers.score_message"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=100, help="events per task for the batch form")
    parser.add_argument("--batch-only", action="store_true", help="skip the one-at-a-time run")
    parser.add_argument("--queue", action="store_true", help="end to end through the queue and a real worker")
    parser.add_argument(
        "--task-batches",
        default="1,100",
        help="with --queue: the GOODWILL_TASK_BATCH values to run, in order",
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="with --queue: run the worker under cProfile, its stats into FILE"
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    texts = [
        json.loads(line)["text"]
        for name in ("messages_dev.jsonl", "messages_heldout.jsonl")
        for line in (LABELLED / name).read_text(encoding="utf-8").splitlines()
    ]
    if args.queue:
        batches = [int(b) for b in args.task_batches.split(",") if b.strip()]
        through_the_queue(texts, args.messages, batches, args.profile)
        return
    ids = store(texts, args.messages)
    warm_up()
    reverse("conversations:detail", args=[1])  # a running worker has its URLconf loaded
    engine = os.environ.get("GOODWILL_DATABASE_URL", "sqlite").split("://")[0]
    messages = list(Message.objects.filter(pk__in=ids).order_by("pk"))
    start, start_cpu = time.perf_counter(), time.process_time()
    for message in messages:
        analyze_message(message.display_text)
    report("analyze_message alone (no database)", engine, len(ids), start, start_cpu)
    if not args.batch_only:
        start, start_cpu = time.perf_counter(), time.process_time()
        for message in messages:
            score_message(message)
        report("score_message, one at a time", engine, len(ids), start, start_cpu)
        assert MessageScore.objects.filter(message_id__in=ids).count() == len(ids)
    # The worker's batch form, through the seam: receipts, events and messages read in bulk.
    events = list(
        Event.objects.filter(
            kind__in=[Event.Kind.MESSAGE_RECEIVED, Event.Kind.CONVERSATION_OPENED],
            conversation_id__in={message.conversation_id for message in messages},
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    MessageScore.objects.filter(message_id__in=ids).delete()
    start, start_cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(events), args.batch):
        run_subscriber.call(PATH, events[i : i + args.batch])
    report(f"run_subscriber batch form, {args.batch} events a task", engine, len(events), start, start_cpu)
    assert MessageScore.objects.filter(message_id__in=ids).count() == len(events)


TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """CPU time so far of a process, all its threads (user + system), from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * TICK_S


class CpuSampler(threading.Thread):
    """Samples (time, worker CPU, database backends' CPU) every 10 ms while the worker runs, so
    the CPU spent between the first task's start and the last task's end can be read off
    (start-up and warm-up, which vary by a second from run to run, are left out)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        backends: dict[int, float] = {}  # pid → CPU seen last (a backend that ends keeps its last)
        pids: list[int] = []
        refreshed = 0.0
        try:
            while not self.stop.is_set():
                now = time.time()
                if now - refreshed > 0.25:
                    pids, refreshed = database_pids(), now
                worker = cpu_seconds(self.pid)
                if worker is None:
                    break
                for pid in pids:
                    value = cpu_seconds(pid)
                    if value is not None:
                        backends[pid] = value
                self.samples.append((now, worker, sum(backends.values())))
                self.stop.wait(0.01)
        finally:
            connection.close()

    def between(self, start: float, end: float) -> tuple[float, float]:
        """(worker, backends) CPU seconds spent between two times (interpolated samples)."""
        return tuple(self._at(end, i) - self._at(start, i) for i in (1, 2))  # type: ignore[return-value]

    def _at(self, moment: float, index: int) -> float:
        samples = self.samples
        for (t0, *v0), (t1, *v1) in zip(samples, samples[1:], strict=False):
            if t0 <= moment <= t1:
                return v0[index - 1] + (v1[index - 1] - v0[index - 1]) * (moment - t0) / max(t1 - t0, 1e-9)
        return samples[0][index] if moment < samples[0][0] else samples[-1][index]


def worker_run(batch: int, profile: str | None = None) -> tuple[float, CpuSampler]:
    """Run `goodwill worker --batch` until the queue is empty; its CPU seconds, and its samples."""
    env = {**os.environ, "GOODWILL_TASK_BATCH": str(batch)}
    goodwill = str(Path(sys.executable).with_name("goodwill"))
    command = [goodwill, "worker", "--batch", "--verbosity", "0"]
    if profile:  # CPU time, not wall: on a busy machine waiting for a core is not the code's cost
        command = [sys.executable, "-c", PROFILED, profile, *command[1:]]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker = subprocess.Popen(command, env=env)
    sampler = CpuSampler(worker.pid)
    sampler.start()
    if worker.wait() != 0:
        raise SystemExit(f"worker failed: {worker.returncode}")
    sampler.stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), sampler


PROFILED = """
import cProfile, sys, time
from goodwill.cli import main
out = sys.argv[1]
sys.argv = ["goodwill", *sys.argv[2:]]
profiler = cProfile.Profile(time.process_time)
try:
    profiler.runcall(main)
finally:
    profiler.dump_stats(out)
"""


def through_the_queue(texts: list[str], count: int, batches: list[int], profile: str | None) -> None:
    """One task per stored message, drained by a real worker: one at a time, then in batches."""
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    engine = os.environ.get("GOODWILL_DATABASE_URL", "sqlite").split("://")[0]
    baseline, _ = worker_run(1)  # empty queue: start-up and warm-up only
    print(f"worker start-up on an empty queue: {baseline:.2f} s CPU; load average {os.getloadavg()[0]:.1f}")
    for batch in batches:
        ids = store(texts, count)
        events = list(
            Event.objects.filter(
                kind__in=[Event.Kind.MESSAGE_RECEIVED, Event.Kind.CONVERSATION_OPENED],
                conversation__messages__in=ids,
            )
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        started = time.time()
        for pk in events:  # autocommit: one task each, as a lone inbound message makes
            run_subscriber.enqueue(PATH, [pk])
        load = os.getloadavg()[0]
        total_cpu, sampler = worker_run(batch, profile)
        cpu = total_cpu - baseline
        span = DBTaskResult.objects.filter(enqueued_at__gte=datetime.fromtimestamp(started, UTC)).aggregate(
            first=Min("started_at"), last=Max("finished_at")
        )
        wall = (span["last"] - span["first"]).total_seconds()
        worker_cpu, backend_cpu = sampler.between(span["first"].timestamp(), span["last"].timestamp())
        assert MessageScore.objects.filter(message_id__in=ids).count() == len(events)
        n = len(events)
        print(
            f"queue + worker, GOODWILL_TASK_BATCH={batch}, {engine}: {n} tasks, "
            f"{n / wall:,.0f}/s wall, {n / cpu:,.0f}/s of worker CPU "
            f"({'met' if n / cpu >= GOAL else 'NOT met'}: ≥ {GOAL:.0f}/s); "
            f"load average {load:.1f} → {os.getloadavg()[0]:.1f}"
            + (f" (under cProfile, stats in {profile})" if profile else "")
        )
        print(
            f"  from the first task's start to the last one's end ({wall:.2f} s): worker CPU "
            f"{worker_cpu * 1000 / n:.2f} ms a message, database backends' CPU "
            f"{backend_cpu * 1000 / n:.2f} ms a message ({n / max(worker_cpu, 1e-9):,.0f}/s of worker CPU)"
        )


def store(texts: list[str], count: int) -> list[int]:
    """Store `count` inbound messages, five per conversation, with no subscriber running."""
    ids: list[int] = []
    with subscribed({}):  # store only; the scoring is what is measured
        conversation = None
        for i in range(count):
            if i % 5 == 0:
                customer = create_customer(
                    name=f"Bench {i}", emails=[f"bench{i}-{time.time_ns()}@example.com"]
                )
                conversation, first = open_conversation(
                    customer=customer, subject=f"Bench {i}", text=texts[i % len(texts)], channel="email"
                )
                ids.append(first.pk)
            else:
                assert conversation is not None
                ids.append(
                    receive_message(
                        conversation, customer=conversation.customer, text=texts[i % len(texts)]
                    ).pk
                )
    return ids


def report(what: str, engine: str, count: int, start: float, start_cpu: float) -> None:
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    rate, cpu_rate = count / wall, count / cpu
    print(
        f"{what} on {engine}: {count} messages, {rate:,.0f}/s wall, {cpu_rate:,.0f}/s of CPU "
        f"({'met' if cpu_rate >= GOAL else 'NOT met'}: ≥ {GOAL:.0f}/s of one core); "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
