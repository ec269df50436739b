"""fetchmail against a real Dovecot on loopback, started by the test with its own config."""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from goodwill.channels.email.fetchmail import Fetcher, acquire_lease, release_lease
from goodwill.channels.email.models import Mailbox, RawEmail
from goodwill.channels.email.tests.conftest import free_port
from goodwill.conversations.models import Conversation

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(DOVECOT is None, reason="Dovecot is not installed (Debian package dovecot-imapd)"),
]

USER, PASSWORD = "imap@goodwill.test", "s3cret-imap"


class Dovecot:
    def __init__(self) -> None:
        # Not pytest's tmp_path: Dovecot's unprivileged processes must be able to enter it.
        self.root = Path(tempfile.mkdtemp(prefix="gw-email-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        if os.getuid() == 0:
            uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        else:
            uid, gid = os.getuid(), os.getgid()
        for name in ("run", "state", "mail", "home"):
            (self.root / name).mkdir()
        for name in ("mail", "home"):
            os.chown(self.root / name, uid, gid) if os.getuid() == 0 else None
        (self.root / "passwd").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{self.root}/home/imap::\n"
        )
        internal = "dovecot" if os.getuid() == 0 else pwd.getpwuid(os.getuid()).pw_name
        login = "dovenull" if os.getuid() == 0 else internal
        (self.root / "dovecot.conf").write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Its own session, so stopping it also ends the imap processes it forked.
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")], start_new_session=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError((self.root / "dovecot.log").read_text())

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process = None

    def client(self):  # type: ignore[no-untyped-def]
        from imapclient import IMAPClient

        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            for data in messages:
                client.append(folder, data)


@pytest.fixture
def dovecot():  # type: ignore[no-untyped-def]
    server = Dovecot()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def imap_mailbox(dovecot, support_team):  # type: ignore[no-untyped-def]
    mailbox = Mailbox(
        name="Support",
        address="support@goodwill.test",
        team=support_team,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_ssl=False,
        imap_username=USER,
    )
    mailbox.set_imap_password(PASSWORD)
    mailbox.save()
    return mailbox


def message(number: int, **headers: str) -> bytes:
    extra = "".join(f"{key}: {value}\r\n" for key, value in headers.items())
    return (
        f"From: Reader {number} <reader{number}@example.com>\r\nTo: support@goodwill.test\r\n"
        f"Subject: IMAP question {number}\r\nMessage-ID: <imap-{number}@example.com>\r\n{extra}\r\n"
        f"Body {number}\r\n"
    ).encode()


def fetch_once() -> dict:
    out = StringIO()
    call_command("fetchmail", "--once", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_the_imap_password_is_encrypted_at_rest(imap_mailbox):
    stored = Mailbox.objects.values_list("imap_password_encrypted", flat=True).get()
    assert PASSWORD not in stored
    assert Mailbox.objects.get().get_imap_password() == PASSWORD


def test_it_fetches_new_mail_and_flags_it_only_after_storing(dovecot, imap_mailbox):
    dovecot.deliver(message(1), message(2))
    summary = fetch_once()
    assert summary["conversations_created"] == 2
    assert set(Conversation.objects.values_list("subject", flat=True)) == {
        "IMAP question 1",
        "IMAP question 2",
    }
    assert set(Conversation.objects.values_list("team__name", flat=True)) == {"Support"}
    with dovecot.client() as client:
        client.select_folder("INBOX")
        flags = client.get_flags(client.search(["ALL"]))
    assert all(b"$Goodwill" in value for value in flags.values())
    assert all(b"\\Seen" not in value for value in flags.values())  # \Seen stays the humans' business


def test_it_takes_mail_that_another_client_already_read(dovecot, imap_mailbox):
    dovecot.deliver(message(3))
    with dovecot.client() as client:
        client.select_folder("INBOX")
        client.add_flags(client.search(["ALL"]), [b"\\Seen"])
    assert fetch_once()["conversations_created"] == 1


def test_a_second_pass_takes_only_new_mail(dovecot, imap_mailbox):
    dovecot.deliver(message(4))
    fetch_once()
    dovecot.deliver(message(5))
    summary = fetch_once()
    assert (summary["received"], summary["conversations_created"]) == (1, 1)
    assert Mailbox.objects.get().imap_last_uid == 2


def test_a_new_uidvalidity_starts_over_without_doubling(dovecot, imap_mailbox):
    dovecot.deliver(message(6))
    fetch_once()
    Mailbox.objects.update(imap_uidvalidity=1)  # as if the server had renumbered the folder
    summary = fetch_once()
    assert summary["duplicates"] == 1
    assert Conversation.objects.count() == 1


def test_it_moves_mail_after_storing_when_configured(dovecot, imap_mailbox):
    with dovecot.client() as client:
        client.create_folder("Goodwill")
    Mailbox.objects.update(imap_move_to="Goodwill")
    dovecot.deliver(message(7), message(8))
    assert fetch_once()["conversations_created"] == 2
    with dovecot.client() as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
        assert client.select_folder("Goodwill")[b"EXISTS"] == 2


def test_only_one_fetcher_holds_a_mailbox(imap_mailbox):
    assert acquire_lease(imap_mailbox, "first")
    assert not acquire_lease(imap_mailbox, "second")
    release_lease(imap_mailbox, "first")
    assert acquire_lease(imap_mailbox, "second")


def test_it_survives_the_server_going_away_and_coming_back(dovecot, imap_mailbox):
    fetcher = Fetcher(poll_interval=0.1)
    dovecot.deliver(message(9))
    assert fetcher.run_once().conversations_created == 1
    dovecot.stop()
    for _attempt in range(3):  # the first pass may still find the old session alive
        assert fetcher.run_once().received == 0
    assert Mailbox.objects.get().imap_last_error != ""
    dovecot.start()
    dovecot.deliver(message(10))
    assert fetcher.run_once().conversations_created == 1
    assert Mailbox.objects.get().imap_last_error == ""
    fetcher.close()
    assert RawEmail.objects.filter(source="imap").count() == 2


def test_idle_returns_when_mail_arrives(dovecot, imap_mailbox):
    fetcher = Fetcher(poll_interval=30, idle_timeout=20)
    fetcher.run_once()
    import threading

    threading.Timer(0.5, lambda: dovecot.deliver(message(11))).start()
    started = time.monotonic()
    fetcher.wait_for_mail()
    waited = time.monotonic() - started
    assert fetcher.run_once().conversations_created == 1
    fetcher.close()
    assert waited < 15
