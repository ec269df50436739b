"""A real SMTP client talks to the intake on loopback."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

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
    server, port, db_path = _start_smtpd(tmp_path)
    data_dir = db_path.parent
    try:
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


def test_its_address_fast_path_answers_like_aiosmtpd():
    from aiosmtpd.smtp import SMTP

    from goodwill.channels.email.smtpd import IntakeSMTP

    ours, theirs = IntakeSMTP.__new__(IntakeSMTP), SMTP.__new__(SMTP)
    ours.local_part_limit = theirs.local_part_limit = 0
    for arg in [
        "<bench@example.com>",
        "<a.b+c@x.org> SIZE=100  BODY=8BITMIME",
        "<a@b.com>\tSIZE=1",
        "  <a@b.com> ",
        "<>",
        '<"a b"@x.org>',
        "user@host.com rest",
        "<@relay:u@h.com>",
        "<a@[1.2.3.4]>",
        "<a..b@c.com>",
        "<a@c..com>",
        "<ü@b.com>",
        "",
    ]:
        assert ours._getaddr(arg) == theirs._getaddr(arg), arg


# A data folder migrated once per test process; each smtpd test starts from a copy of it
# (a migration from scratch costs ~11 s of CPU).
_migrated: list[Path] = []


def _start_smtpd(tmp_path, *extra: str):  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    env = {**os.environ, "GOODWILL_DATA_DIR": str(data_dir), "GOODWILL_SECRET_KEY": "processor-test"}
    env.pop("GOODWILL_DATABASE_URL", None)
    goodwill = [sys.executable, "-m", "goodwill"]
    if not _migrated:
        template = tmp_path / "migrated"
        migrate_env = {**env, "GOODWILL_DATA_DIR": str(template)}
        subprocess.run(
            [*goodwill, "migrate", "--noinput", "-v", "0"], env=migrate_env, check=True, timeout=600
        )
        _migrated.append(template)
    shutil.copytree(_migrated[0], data_dir)
    port = free_port()
    server = subprocess.Popen(
        [*goodwill, "smtpd", "--host", "127.0.0.1", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if b"listening" not in server.stdout.readline():
        server.kill()
        raise AssertionError(f"smtpd did not start: {server.stderr.read()[-2000:]!r}")
    return server, port, data_dir / "goodwill.sqlite3"


def _raw_states_become(db_path, expected, timeout: float = 30):  # type: ignore[no-untyped-def]
    """Stored mail counted by state, polled until it equals `expected` (or the time is up)."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(db_path, timeout=30) as db:
            states = db.execute("SELECT state, count(*) FROM email_rawemail GROUP BY state").fetchall()
        if states == expected or time.monotonic() > deadline:
            return states
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(child) for child in handle.read().split()]


def _gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(") ", 1)[1].startswith("Z"):
                    return True  # exited, waiting for its (new) parent to reap it
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_smtpd_command_processes_mail_in_a_processor_that_stops_with_it(tmp_path):
    server, port, db_path = _start_smtpd(tmp_path)
    try:
        processors = _children(server.pid)
        assert len(processors) == 1
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            for number in range(20):
                client.sendmail("s@example.com", ["support@goodwill.test"], message(number))
        assert _raw_states_become(db_path, [("created", 20)]) == [("created", 20)]
        with sqlite3.connect(db_path, timeout=30) as db:
            conversations = db.execute("SELECT count(*) FROM conversations_conversation").fetchone()[0]
        assert conversations == 20
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert _gone(processors[0], timeout=1)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_processor_exits_when_smtpd_is_killed_with_9(tmp_path):
    server, port, db_path = _start_smtpd(tmp_path)
    try:
        processors = _children(server.pid)
        assert len(processors) == 1
        # Kill only once the processor is at work: on a loaded machine its start-up (and the
        # moment it asks Linux to stop it with its parent) can take longer than any fixed wait.
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail("s@example.com", ["support@goodwill.test"], message(1))
        assert _raw_states_become(db_path, [("created", 1)], timeout=120) == [("created", 1)]
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
    assert _gone(processors[0])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_smtpd_restarts_a_processor_that_died(tmp_path):
    server, port, db_path = _start_smtpd(tmp_path)
    try:
        (first,) = _children(server.pid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _children(server.pid) in ([], [first]):
            time.sleep(0.1)
        (second,) = _children(server.pid)
        assert second != first
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail("s@example.com", ["support@goodwill.test"], message(1))
        assert _raw_states_become(db_path, [("created", 1)]) == [("created", 1)]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert b"restarting it" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()


def test_mail_with_too_many_mime_parts_is_quarantined_with_its_raw_kept(intake, eml):
    from django.core.files.storage import default_storage

    from goodwill.channels.email.models import Quarantine
    from goodwill.conversations.models import Attachment

    with smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=10) as client:
        refused = client.sendmail("mallory@example.net", ["support@goodwill.test"], eml("many_parts.eml"))
    assert refused == {}
    assert intake.wait_until_processed()
    entry = Quarantine.objects.get()
    assert entry.reason == "parts" and "attachments" in entry.detail
    assert default_storage.open(entry.raw.path).read() == eml("many_parts.eml")
    assert not Attachment.objects.exists() and not Conversation.objects.exists()


def test_over_smtp_the_acknowledgement_goes_to_the_envelope_sender_and_never_to_a_null_sender(intake):
    from goodwill.channels.email.models import Acknowledgement

    Mailbox.objects.create(name="Support", address="support@goodwill.test", auto_acknowledge=True)
    hostile = message(1).replace(b"Subject:", b"Reply-To: victim@third-party.test\r\nSubject:")
    with smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=10) as client:
        assert client.sendmail("sender1@example.com", ["support@goodwill.test"], hostile) == {}
        assert client.sendmail("<>", ["support@goodwill.test"], message(2)) == {}
    assert intake.wait_until_processed()
    assert Conversation.objects.count() == 2
    assert list(Acknowledgement.objects.values_list("address", flat=True)) == ["sender1@example.com"]
