"""Many processes under mixed load, one worker and one web process killed with kill -9.

PostgreSQL, Redis/RQ, two `goodwill serve` web processes (the client balances between
them and, like a load balancer, sends a refused connection to the other), two
`goodwill worker`, `goodwill smtpd`, and a local SMTP sink for outgoing mail. For
`--duration` seconds: SMTP intake, replies through the API and API reads. At a random
moment one worker (with its work horse) and at another one web process get SIGKILL.
Then, after the queue drains, it checks:

  * every mail smtpd acknowledged (250) is stored exactly once;
  * every reply the API accepted (201) reached the sink (duplicates counted: allowed
    only as a logged resend with the same Message-ID), and so did every acknowledgement;
  * no API call failed except those in flight at the web process's kill;

and prints p50/p95 of the reads. Loopback only. The last line of each run says PASS or FAIL.

    .venv/bin/python bench/load_crash.py                 # one run of 40 s
    .venv/bin/python bench/load_crash.py --runs 10       # ten runs, random kill moments
    .venv/bin/python bench/load_crash.py --duration 15   # the short CI version
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from goodwill.core.smtp_sink import GatedSink, free_port  # noqa: E402

GOODWILL = str(Path(sys.executable).with_name("goodwill"))
SEED = """
import json
from goodwill.accounts.services import create_or_update_agent, issue_api_token
from goodwill.channels.email.models import Mailbox
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
agent = create_or_update_agent("load@example.com", name="Load Agent", role="admin", password="pw-load-123")[0]
Mailbox.objects.create(name="Support", address="support@goodwill.test", auto_acknowledge=True)
numbers = []
for n in range(40):
    customer = create_customer(name=f"Seed {n}", emails=[f"seed{n}@example.org"])
    conversation, _ = open_conversation(
        customer=customer, subject=f"Seeded {n}", channel=Conversation.Channel.EMAIL, text="Hello"
    )
    numbers.append(conversation.number)
print(json.dumps({"token": issue_api_token(agent, name="load"), "numbers": numbers}))
"""


@dataclass
class Tally:
    """What the clients saw; appended from several threads (list.append and Counter under a lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    mails_acked: list[str] = field(default_factory=list)
    mails_refused: int = 0
    replies_accepted: list[int] = field(default_factory=list)
    reads_ms: list[float] = field(default_factory=list)
    failed: Counter[str] = field(default_factory=Counter)
    in_flight_at_kill: Counter[str] = field(default_factory=Counter)
    rerouted: int = 0


class Balancer:
    """Round-robin over the web processes; a refused connection goes to the next one."""

    def __init__(self, ports: list[int], token: str) -> None:
        self.ports = ports
        self.down: set[int] = set()
        self.token = token
        self.turn = 0
        self.lock = threading.Lock()
        self.killed_port: int | None = None
        self.kill_window: tuple[float, float] = (0.0, 0.0)

    def request(self, tally: Tally, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        for _ in range(len(self.ports) + 1):
            with self.lock:
                live = [port for port in self.ports if port not in self.down]
                port = live[self.turn % len(live)]
                self.turn += 1
            started = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                payload = json.dumps(body).encode() if body is not None else None
                headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except ConnectionRefusedError:
                with self.lock:
                    self.down.add(port)
                with tally.lock:
                    tally.rerouted += 1
                continue
            except (OSError, http.client.HTTPException) as error:
                kind = f"{method} {type(error).__name__}"
                low, high = self.kill_window
                with tally.lock:
                    if port == self.killed_port and low <= started <= high:
                        tally.in_flight_at_kill[kind] += 1
                    else:
                        tally.failed[kind] += 1
                return None
            finally:
                connection.close()
            if response.status >= 400:
                with tally.lock:
                    tally.failed[f"{method} {response.status}"] += 1
                return None
            if method == "GET":
                with tally.lock:
                    tally.reads_ms.append((time.monotonic() - started) * 1000)
            return json.loads(data or b"null")
        with tally.lock:
            tally.failed[f"{method} no web process"] += 1
        return None


def mail(run: int, n: int) -> tuple[str, bytes]:
    msgid = f"load-{run}-{n}@example.com"
    text = (
        f"From: Customer {n} <c{run}x{n}@example.com>\r\nTo: Support <support@goodwill.test>\r\n"
        f"Subject: Order {n} has not arrived\r\nMessage-ID: <{msgid}>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello,\r\nmy order {n} has not arrived yet. Tracking shows nothing.\r\n\r\nThanks\r\n"
    )
    return msgid, text.encode()


def smtp_client(
    port: int, run: int, index: int, clients: int, rate: float, stop: threading.Event, tally: Tally
) -> None:
    n = index
    pause = clients / rate
    while not stop.is_set():
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                for _ in range(20):
                    if stop.is_set():
                        return
                    msgid, data = mail(run, n)
                    n += clients
                    try:
                        client.sendmail(f"c{run}x{n}@example.com", ["support@goodwill.test"], data)
                    except smtplib.SMTPResponseException:
                        with tally.lock:
                            tally.mails_refused += 1
                        continue
                    with tally.lock:
                        tally.mails_acked.append(msgid)
                    stop.wait(pause)
        except (OSError, smtplib.SMTPException):
            with tally.lock:
                tally.failed["SMTP connection"] += 1


def reply_client(lb: Balancer, numbers: list[int], seed: int, stop: threading.Event, tally: Tally) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        number = rng.choice(numbers)
        body = {"kind": "reply", "text": f"We are on it ({rng.getrandbits(32):08x})."}
        answer = lb.request(tally, "POST", f"/api/v1/conversations/{number}/messages", body)
        if answer is not None:
            with tally.lock:
                tally.replies_accepted.append(int(answer["id"]))
        stop.wait(0.15)


def read_client(lb: Balancer, numbers: list[int], seed: int, stop: threading.Event, tally: Tally) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        if rng.random() < 0.5:
            lb.request(tally, "GET", "/api/v1/conversations?limit=25")
        else:
            lb.request(tally, "GET", f"/api/v1/conversations/{rng.choice(numbers)}/messages")
        stop.wait(0.05)


def sql(url: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as connection:
        return list(connection.execute(query, params).fetchall())


def reset_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # only this database: the URL names the one for this test


def wait_for(condition: Any, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.25)


def http_ok(port: int, path: str) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False


class Fleet:
    """The processes of one run, each in its own process group, logs in `logs`."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [GOODWILL, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run_once(run: int, options: argparse.Namespace, rng: random.Random) -> bool:
    reset_database(options.database_url)
    flush_redis(options.redis_url)
    with tempfile.TemporaryDirectory(prefix="gw-load-") as tmp, GatedSink() as sink:
        root = Path(tmp)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GOODWILL_")},
            "DJANGO_SETTINGS_MODULE": "goodwill.settings",
            "GOODWILL_DATA_DIR": str(root),
            "GOODWILL_DATABASE_URL": options.database_url,
            "GOODWILL_REDIS_URL": options.redis_url,
            "GOODWILL_EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "GOODWILL_SECRET_KEY": "load-test",
            "GOODWILL_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GOODWILL_TASK_LEASE": str(options.lease),
            "GOODWILL_DELIVERY_STUCK_AFTER": str(options.lease * 5),
            "PYTHONUNBUFFERED": "1",
        }
        subprocess.run([GOODWILL, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([GOODWILL, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        seeded = json.loads(
            subprocess.run(
                [GOODWILL, "shell", "-c", SEED], env=env, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        fleet = Fleet(env, root)
        web_ports = [free_port(), free_port()]
        smtp_port = free_port()
        try:
            for index, port in enumerate(web_ports):
                fleet.start(f"web{index}", "serve", "--port", str(port), "--no-collectstatic")
            fleet.start("worker0", "worker")
            fleet.start("worker1", "worker")
            fleet.start("smtpd", "smtpd", "--port", str(smtp_port))
            wait_for(lambda: all(http_ok(port, "/healthz") for port in web_ports), "web processes", 120)
            wait_for(lambda: http_ok(web_ports[0], "/healthz/worker"), "workers' heartbeat", 120)
            wait_for(lambda: b"listening" in (root / "smtpd.log").read_bytes(), "smtpd", 120)
            return load_and_check(run, options, rng, fleet, sink, env, seeded, web_ports, smtp_port, root)
        finally:
            fleet.stop()
            if not options.keep_database:
                drop_database(options.database_url)


def load_and_check(
    run: int,
    options: argparse.Namespace,
    rng: random.Random,
    fleet: Fleet,
    sink: GatedSink,
    env: dict[str, str],
    seeded: dict[str, Any],
    web_ports: list[int],
    smtp_port: int,
    root: Path,
) -> bool:
    tally = Tally()
    lb = Balancer(web_ports, seeded["token"])
    numbers = seeded["numbers"]
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=smtp_client, args=(smtp_port, run, i, options.smtp_clients, options.mail_rate, stop, tally)
        )
        for i in range(options.smtp_clients)
    ]
    threads += [
        threading.Thread(target=reply_client, args=(lb, numbers, run * 100 + i, stop, tally))
        for i in range(2)
    ]
    threads += [
        threading.Thread(target=read_client, args=(lb, numbers, run * 200 + i, stop, tally)) for i in range(2)
    ]
    kill_worker_at = rng.uniform(0.15, 0.85) * options.duration
    kill_web_at = rng.uniform(0.15, 0.85) * options.duration
    victim_worker = rng.choice(["worker0", "worker1"])
    victim_web = rng.randrange(2)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    events = sorted([(kill_worker_at, "worker"), (kill_web_at, "web")])
    for at, what in events:
        stop.wait(max(0.0, started + at - time.monotonic()))
        if what == "worker":
            fleet.kill(victim_worker)
        else:
            lb.killed_port = web_ports[victim_web]
            now = time.monotonic()
            lb.kill_window = (now - 30.0, now + 1.0)  # a request started before the kill may be in its hands
            fleet.kill(f"web{victim_web}")
    stop.wait(max(0.0, started + options.duration - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join(timeout=90)
    load_seconds = time.monotonic() - started

    url = options.database_url
    acked, replies = set(tally.mails_acked), list(tally.replies_accepted)

    def drained() -> bool:
        pending = sql(url, "SELECT count(*) FROM email_rawemail WHERE state = 'pending'")[0][0]
        unsent = sql(
            url,
            "SELECT count(*) FROM conversations_message WHERE id = ANY(%s) AND delivery <> 'sent'",
            (replies,),
        )[0][0]
        acks = sql(url, "SELECT count(*) FROM email_acknowledgement WHERE sent_at IS NULL")[0][0]
        return pending == 0 and unsent == 0 and acks == 0

    drain_started = time.monotonic()
    with contextlib.suppress(TimeoutError):
        wait_for(drained, "the queue to drain", options.drain_timeout)
    drain_seconds = time.monotonic() - drain_started

    stored = dict(
        sql(
            url,
            "SELECT message_id, count(*) FROM conversations_message WHERE message_id = ANY(%s) GROUP BY message_id",
            (list(acked),),
        )
    )
    missing_mails = [m for m in acked if m not in stored]
    doubled_mails = [m for m, count in stored.items() if count > 1]
    reply_ids = dict(
        sql(url, "SELECT id, message_id FROM conversations_message WHERE id = ANY(%s)", (replies,))
    )
    copies = Counter(sink.message_ids())
    undelivered = [pk for pk in replies if copies.get(str(reply_ids.get(pk, "")), 0) == 0]
    duplicates = sum(
        copies[str(reply_ids[pk])] - 1 for pk in replies if copies.get(str(reply_ids.get(pk, "")), 0) > 1
    )
    for pk in undelivered[:5]:
        detail = sql(
            url,
            "SELECT m.delivery, m.message_id, e.message_id_header, d.state, d.attempts, d.resends, d.sweeps"
            " FROM conversations_message m LEFT JOIN email_emaildetails e ON e.message_id = m.id"
            " LEFT JOIN core_delivery d ON d.key = 'reply:' || m.id WHERE m.id = %s",
            (pk,),
        )
        print(f"  undelivered reply {pk}: {detail}")
    acks_unsent = sql(url, "SELECT count(*) FROM email_acknowledgement WHERE sent_at IS NULL")[0][0]
    acks_total = sql(url, "SELECT count(*) FROM email_acknowledgement")[0][0]
    logs = "".join((root / f"{name}.log").read_text(errors="replace") for name in ("worker0", "worker1"))
    resends = logs.count("resending reply:")
    reclaimed = logs.count("reclaimed job ") + logs.count("reclaimed task ")
    swept = logs.count("re-enqueued reply:") + logs.count("re-enqueued ack:")
    reads = sorted(tally.reads_ms)
    p50 = statistics.median(reads) if reads else float("nan")
    p95 = reads[int(len(reads) * 0.95) - 1] if len(reads) >= 20 else float("nan")
    ok = (
        not missing_mails
        and not doubled_mails
        and not undelivered
        and acks_unsent == 0
        and not tally.failed
        and duplicates <= resends
    )
    print(
        f"run {run}: {load_seconds:.0f} s load, kill -9 {victim_worker} at {kill_worker_at:.1f} s, "
        f"web{victim_web} at {kill_web_at:.1f} s; drained in {drain_seconds:.1f} s"
    )
    print(
        f"  mail: {len(acked)} acknowledged (250), {len(acked) - len(missing_mails)} stored, "
        f"{len(missing_mails)} missing, {len(doubled_mails)} stored twice, {tally.mails_refused} refused"
    )
    print(
        f"  replies: {len(replies)} accepted (201), {len(replies) - len(undelivered)} delivered, "
        f"{len(undelivered)} undelivered, {duplicates} duplicate sends (logged resends: {resends}); "
        f"acknowledgements: {acks_total - acks_unsent}/{acks_total} sent"
    )
    print(
        f"  API: {len(reads)} reads, p50 {p50:.1f} ms, p95 {p95:.1f} ms; failed {dict(tally.failed) or 0}; "
        f"in flight at the kill {dict(tally.in_flight_at_kill) or 0}; {tally.rerouted} rerouted"
    )
    print(f"  recovery: {reclaimed} task(s) reclaimed from the dead worker, {swept} delivery(ies) swept")
    print(f"{'PASS' if ok else 'FAIL'} run {run}")
    if options.keep_logs:
        dest = Path(options.keep_logs) / f"run-{run}"
        dest.mkdir(parents=True, exist_ok=True)
        for log in root.glob("*.log"):
            (dest / log.name).write_bytes(log.read_bytes())
        print(f"  logs in {dest}")
    return ok


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--duration", type=float, default=40.0, help="Seconds of load per run.")
    parser.add_argument("--smtp-clients", type=int, default=4)
    parser.add_argument(
        "--mail-rate", type=float, default=6.0, help="Mails per second, all clients together."
    )
    parser.add_argument("--lease", type=float, default=3.0, help="GOODWILL_TASK_LEASE for the run.")
    parser.add_argument("--drain-timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=None, help="Seed of the kill moments (default: random).")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/goodwill_load_crash",
        help="PostgreSQL database to create and drop for each run.",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/5", help="Redis database; FLUSHDB each run."
    )
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--keep-logs", default="", help="Copy each run's logs into this folder.")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1 << 30)
    print(f"load_crash: {options.runs} run(s) of {options.duration:.0f} s, seed {seed}")
    rng = random.Random(seed)
    results = [run_once(run, options, rng) for run in range(1, options.runs + 1)]
    passed = sum(results)
    print(
        f"load_crash: {'PASS' if passed == len(results) else 'FAIL'} ({passed} of {len(results)} runs passed)"
    )
    raise SystemExit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
