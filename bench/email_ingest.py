"""Email intake throughput: `ingest-email` and `smtpd` end to end, against a floor.

Generates 10,000 realistic messages (a third reply to earlier ones, some HTML, some
attachments), then prints messages/s for:
  floor         bare email.parser (policy.default) + one SQLite insert per message
  ingest-email  `goodwill ingest-email DIR` in a fresh data dir (process start included)
  smtpd         `goodwill smtpd` with concurrent SMTP clients, until every message is processed
                (its CPU includes its processor child: smtpd reaps it on SIGTERM, so
                RUSAGE_CHILDREN counts it)
Goal: >= 500 messages/s end to end on SQLite, within 3x of the floor.
CPU seconds are printed beside wall time, so figures taken on a busy machine still compare.

Usage: .venv/bin/python bench/email_ingest.py [--messages N] [--clients C]
"""

from __future__ import annotations

import argparse
import base64
import email
import json
import os
import random
import resource
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from email import policy
from pathlib import Path

FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kemi", "Lena"]
LAST = ["Smith", "Müller", "García", "Okafor", "Dubois", "Nakamura", "Rossi", "Novak", "Larsen", "Silva"]
TOPICS = [
    (
        "Order {n} has not arrived",
        "I ordered on Monday and the parcel has still not arrived. Tracking says nothing.",
    ),
    (
        "Invoice {n} is wrong",
        "The invoice charges me twice for the same subscription month. Please correct it.",
    ),
    ("Cannot log in", "Since the update I cannot log in; the page says my password is wrong but it is not."),
    ("Refund for order {n}", "I returned the item two weeks ago and have not received my refund yet."),
    ("Question about pricing", "Do you offer a discount for teams of more than twenty people?"),
    ("Broken product", "The lamp I received flickers constantly. Can I get a replacement?"),
]
REPLIES = [
    "Thank you, that solved it!",
    "It still does not work, I tried again this morning.",
    "Here is the screenshot you asked for.",
    "Danke, das hat geholfen.",
    "Merci beaucoup pour votre aide.",
]
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def generate(count: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    people = [
        (f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"customer{i}@example{i % 40}.com")
        for i in range(count // 5)
    ]
    sent: list[tuple[str, str, str, str]] = []  # (message-id, subject, sender name, address)
    messages = []
    for number in range(count):
        name, address = rng.choice(people)
        msgid = f"bench-{number}-{rng.getrandbits(32):08x}@example.com"
        headers = [
            f"From: {name} <{address}>",
            "To: Support <support@goodwill.test>",
            f"Date: Mon, 02 Nov 2026 {number // 3600 % 24:02d}:{number // 60 % 60:02d}:{number % 60:02d} +0000",
            f"Message-ID: <{msgid}>",
            "MIME-Version: 1.0",
        ]
        if sent and number % 3 == 2:
            parent_id, subject, _pname, paddress = rng.choice(sent[-500:])
            name, address = next(p for p in people if p[1] == paddress)
            headers[0] = f"From: {name} <{address}>"
            subject = subject if subject.startswith("Re: ") else f"Re: {subject}"
            headers += [f"Subject: {subject}", f"In-Reply-To: <{parent_id}>", f"References: <{parent_id}>"]
            text = (
                f"{rng.choice(REPLIES)}\n\nBest regards,\n{name}\n\n"
                f"On Mon, Nov 2, 2026 at 10:00 AM Support <support@goodwill.test> wrote:\n"
                + "".join(f"> {line}\n" for line in rng.choice(TOPICS)[1].split(". "))
            )
        else:
            subject_t, body = rng.choice(TOPICS)
            subject = subject_t.format(n=rng.randint(1000, 99999))
            headers.append(f"Subject: {subject}")
            text = f"Hello,\n\n{body}\n\nThanks,\n{name}\n"
        sent.append((msgid, subject, name, address))
        kind = number % 10
        if kind < 6:
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: 8bit")
            message = "\r\n".join(headers) + "\r\n\r\n" + text.replace("\n", "\r\n")
        else:
            html = (
                "<html><body>"
                + "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
                + "</body></html>"
            )
            parts = [
                "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text.replace("\n", "\r\n"),
                "--ALT\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html,
            ]
            alternative = "\r\n".join(parts) + "\r\n--ALT--\r\n"
            if kind == 9:
                headers.append('Content-Type: multipart/mixed; boundary="MIX"')
                body = (
                    '--MIX\r\nContent-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
                    + alternative
                    + "--MIX\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                    + 'Content-Disposition: attachment; filename="screenshot.png"\r\n\r\n'
                    + base64.encodebytes(PNG).decode().replace("\n", "\r\n")
                    + "--MIX--\r\n"
                )
            else:
                headers.append('Content-Type: multipart/alternative; boundary="ALT"')
                body = alternative
            message = "\r\n".join(headers) + "\r\n\r\n" + body
        messages.append(message.encode("utf-8"))
    return messages


GOAL = 500  # messages per second, end to end, on SQLite


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def floor(messages: list[bytes], db_path: Path) -> tuple[float, float]:
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE m (id INTEGER PRIMARY KEY, message_id TEXT UNIQUE, sender TEXT, subject TEXT, body TEXT)"
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, len(messages), 200):
        with db:
            for data in messages[start : start + 200]:
                msg = email.message_from_bytes(data, policy=policy.default)
                body = msg.get_body(("plain", "html"))
                db.execute(
                    "INSERT INTO m (message_id, sender, subject, body) VALUES (?, ?, ?, ?)",
                    (
                        str(msg["Message-ID"]),
                        str(msg["From"]),
                        str(msg["Subject"]),
                        body.get_content() if body else "",
                    ),
                )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    db.close()
    return elapsed, cpu


def fresh_env(root: Path) -> dict[str, str]:
    env = {**os.environ, "GOODWILL_DATA_DIR": str(root), "GOODWILL_SECRET_KEY": "bench"}
    env.pop("GOODWILL_DATABASE_URL", None)
    env.pop("GOODWILL_REDIS_URL", None)
    subprocess.run([sys.executable, "-m", "goodwill", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pending(db_path: Path) -> int:
    with sqlite3.connect(db_path, timeout=30) as db:
        return db.execute("SELECT count(*) FROM email_rawemail WHERE state = 'pending'").fetchone()[0]


def run_smtpd(messages: list[bytes], root: Path, clients: int) -> tuple[float, float, int, float]:
    env = fresh_env(root)
    cpu_started = children_cpu()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "goodwill", "smtpd", "--port", str(port)], env=env, stdout=subprocess.PIPE
    )
    try:
        assert server.stdout is not None and b"listening" in server.stdout.readline()
        acknowledged = [0] * clients

        def send(index: int) -> None:
            with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
                for data in messages[index::clients]:
                    client.sendmail("bench@example.com", ["support@goodwill.test"], data)
                    acknowledged[index] += 1

        started = time.perf_counter()
        threads = [threading.Thread(target=send, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stored = time.perf_counter() - started
        db_path = root / "goodwill.sqlite3"
        while pending(db_path) > 0:
            time.sleep(0.05)
        processed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return stored, processed, sum(acknowledged), children_cpu() - cpu_started


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    messages = generate(options.messages)
    count = len(messages)
    with tempfile.TemporaryDirectory(prefix="gw-bench-email-") as tmp:
        root = Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir()
        for index, data in enumerate(messages):
            (corpus / f"{index:06d}.eml").write_bytes(data)
        floor_seconds, floor_cpu = floor(messages, root / "floor.sqlite3")
        print(
            f"messages: {count} ({sum(map(len, messages)) / count / 1024:.1f} KiB average, a third are replies)"
        )
        print(
            f"floor (email.parser + 1 SQLite insert): {count / floor_seconds:8.0f} messages/s  "
            f"({count / floor_cpu:.0f} per CPU-second)"
        )

        env = fresh_env(root / "ingest")
        started, cpu_started = time.perf_counter(), children_cpu()
        result = subprocess.run(
            [sys.executable, "-m", "goodwill", "ingest-email", str(corpus)],
            env=env,
            capture_output=True,
            check=True,
        )
        ingest_seconds, ingest_cpu = time.perf_counter() - started, children_cpu() - cpu_started
        summary = json.loads(result.stdout.decode().strip().splitlines()[-1])
        print(
            f"ingest-email (end to end, process start included): {count / ingest_seconds:8.0f} messages/s "
            f"= {ingest_seconds / floor_seconds:.1f}x the floor's time"
        )
        print(
            f"  CPU: {count / ingest_cpu:.0f} messages per CPU-second = {ingest_cpu / floor_cpu:.1f}x the floor's CPU"
        )
        print(f"  summary: {json.dumps(summary)}")
        started = time.perf_counter()
        again = subprocess.run(
            [sys.executable, "-m", "goodwill", "ingest-email", str(corpus)],
            env=env,
            capture_output=True,
            check=True,
        )
        print(
            f"ingest-email again (all duplicates): {count / (time.perf_counter() - started):8.0f} messages/s  "
            f"{again.stdout.decode().strip().splitlines()[-1]}"
        )

        stored, processed, acknowledged, smtpd_cpu = run_smtpd(messages, root / "smtpd", options.clients)
        print(
            f"smtpd, {options.clients} concurrent clients: {count / stored:8.0f} messages/s acknowledged (250), "
            f"{count / processed:8.0f} messages/s processed end to end "
            f"= {processed / floor_seconds:.1f}x the floor's time ({acknowledged} got 250)"
        )
        print(
            f"  CPU (server): {count / smtpd_cpu:.0f} messages per CPU-second = {smtpd_cpu / floor_cpu:.1f}x the floor's CPU"
        )
        for name, seconds, cpu in (
            ("ingest-email", ingest_seconds, ingest_cpu),
            ("smtpd", processed, smtpd_cpu),
        ):
            verdict = "met" if count / seconds >= GOAL and seconds <= 3 * floor_seconds else "NOT met"
            verdict_cpu = "met" if count / cpu >= GOAL and cpu <= 3 * floor_cpu else "NOT met"
            print(
                f"goal (>= {GOAL}/s, within 3x the floor), {name}: {verdict} by wall time, {verdict_cpu} by CPU time"
            )


if __name__ == "__main__":
    main()
