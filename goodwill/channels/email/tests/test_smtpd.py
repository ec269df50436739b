"""A real SMTP client talks to the intake on loopback."""

from __future__ import annotations

import hashlib
import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from goodwill.channels.email.models import Mailbox, RawEmail
from goodwill.channels.email.smtpd import IntakeServer
from goodwill.channels.email.tests.conftest import free_port
from goodwill.conversations.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)


def message(number: int, *, size: int = 0) -> bytes:
    body = f"Hello, this is message {number}.\r\n" + ("x" * 70 + "\r\n") * (size // 72)
    return (
        f"From: Sender {number} <sender{number % 7}@example.com>\r\nTo: support@goodwill.test\r\n"
        f"Subject: Question {number}\r\nMessage-ID: <smtp-{number}@example.com>\r\n"
        f"Content-Type: text/plain\r\n\r\n{body}"
    ).encode()


@pytest.fixture
def intake():  # type: ignore[no-untyped-def]
    server = IntakeServer("127.0.0.1", free_port(), max_bytes=200_000)
    server.start()
    yield server
    server.stop()


def test_it_stores_and_processes_mail_sent_over_smtp(intake):
    with smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=10) as client:
        refused = client.sendmail("sender@example.com", ["support@goodwill.test"], message(1))
        code, reply = client.noop()
    assert refused == {} and code == 250
    assert intake.wait_until_processed()
    raw = RawEmail.objects.get()
    assert raw.source == "smtp" and raw.envelope_from == "sender@example.com"
    assert raw.envelope_to == ["support@goodwill.test"]
    assert Conversation.objects.get().subject == "Question 1"


def test_it_answers_250_only_once_the_raw_message_is_committed(intake):
    with smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=10) as client:
        client.ehlo()
        client.mail("sender@example.com")
        client.rcpt("support@goodwill.test")
        code, reply = client.data(message(2))
    assert code == 250
    raw_id = int(reply.decode().rsplit(" ", 1)[-1])
    # A fresh connection (another thread) sees the committed row right after the 250.
    seen: list[bool] = []
    worker = threading.Thread(target=lambda: seen.append(RawEmail.objects.filter(pk=raw_id).exists()))
    worker.start()
    worker.join()
    assert seen == [True]


def test_it_refuses_oversized_mail_with_552(intake):
    with (
        smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=10) as client,
        pytest.raises(smtplib.SMTPResponseException) as refused,
    ):
        client.sendmail("sender@example.com", ["support@goodwill.test"], message(3, size=300_000))
    assert refused.value.smtp_code == 552
    assert not RawEmail.objects.exists()


def test_it_refuses_unknown_recipients_once_mailboxes_exist(support_team):
    Mailbox.objects.create(name="Support", address="support@goodwill.test", team=support_team)
    server = IntakeServer("127.0.0.1", free_port())
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", server.controller.port, timeout=10) as client:
            client.ehlo()
            client.mail("sender@example.com")
            assert client.rcpt("nobody@goodwill.test")[0] == 550
            assert client.rcpt("support+gw-1-abc@goodwill.test")[0] == 250
            assert client.data(message(4))[0] == 250
        assert server.wait_until_processed()
    finally:
        server.stop()
    assert RawEmail.objects.get().mailbox.address == "support@goodwill.test"
    assert Conversation.objects.get().team == support_team


def test_concurrent_clients_are_all_stored_once(intake):
    def send(start: int) -> None:
        with smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=30) as client:
            for number in range(start, start + 10):
                client.sendmail("s@example.com", ["support@goodwill.test"], message(number))

    threads = [threading.Thread(target=send, args=(100 + 10 * i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert intake.wait_until_processed()
    assert RawEmail.objects.count() == 40
    assert Conversation.objects.count() == 40


@pytest.mark.slow
def test_every_message_that_got_250_survives_kill_9_of_the_intake(tmp_path):
    data_dir = tmp_path / "data"
    env = {**os.environ, "GOODWILL_DATA_DIR": str(data_dir), "GOODWILL_SECRET_KEY": "kill-test"}
    env.pop("GOODWILL_DATABASE_URL", None)
    goodwill = [sys.executable, "-m", "goodwill"]
    subprocess.run([*goodwill, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*goodwill, "smtpd", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert b"listening" in server.stdout.readline()
        acknowledged: list[bytes] = []
        stop = threading.Event()

        def send(offset: int) -> None:
            number = offset
            while not stop.is_set():
                try:
                    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                        while not stop.is_set():
                            data = message(number)
                            number += 100_000
                            client.ehlo_or_helo_if_needed()
                            client.mail("s@example.com")
                            client.rcpt("support@goodwill.test")
                            code, _reply = client.data(data)
                            if code == 250:
                                acknowledged.append(data)
                except (OSError, smtplib.SMTPException):
                    return

        senders = [threading.Thread(target=send, args=(i,)) for i in range(4)]
        for thread in senders:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        for thread in senders:
            thread.join(timeout=15)
    finally:
        if server.poll() is None:
            server.kill()
    assert len(acknowledged) >= 20  # a slow machine sends fewer before the kill; every one must be there
    with sqlite3.connect(data_dir / "goodwill.sqlite3") as db:
        stored = {row[0] for row in db.execute("SELECT sha256 FROM email_rawemail")}
        paths = [row[0] for row in db.execute("SELECT path FROM email_rawemail")]
    missing = [d for d in acknowledged if hashlib.sha256(d).hexdigest() not in stored]
    assert missing == []
    assert all((data_dir / "files" / path).exists() for path in paths)
