"""IMAP intake: pull the configured mailboxes; mark or move a message only after it is committed.

IMAP state is ours, not the server's \\Seen flag (LESSONS: freescout #3406): each mailbox
remembers UIDVALIDITY and the last UID it took, messages are fetched with BODY.PEEK,
and one fetcher holds a mailbox at a time (a lease taken with a conditional UPDATE).
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from goodwill.channels.email.intake import Summary, process_batch, store_batch
from goodwill.channels.email.models import Mailbox, RawEmail

logger = logging.getLogger("goodwill.email.fetchmail")

FETCH_CHUNK = 50
LEASE = timedelta(minutes=5)
FETCHED_FLAG = b"$Goodwill"


def acquire_lease(mailbox: Mailbox, owner: str) -> bool:
    now = timezone.now()
    taken = (
        Mailbox.objects.filter(pk=mailbox.pk)
        .filter(Q(lock_until__isnull=True) | Q(lock_until__lt=now) | Q(lock_owner=owner))
        .update(lock_owner=owner, lock_until=now + LEASE)
    )
    return taken == 1


def release_lease(mailbox: Mailbox, owner: str) -> None:
    Mailbox.objects.filter(pk=mailbox.pk, lock_owner=owner).update(lock_owner="", lock_until=None)


def connect(mailbox: Mailbox, *, timeout: float = 30) -> Any:
    from imapclient import IMAPClient

    client = IMAPClient(mailbox.imap_host, port=mailbox.imap_port, ssl=mailbox.imap_ssl, timeout=timeout)
    client.login(mailbox.imap_username, mailbox.get_imap_password())
    return client


def _mark(client: Any, mailbox: Mailbox, uids: list[int]) -> None:
    """After the commit: move the messages away, or flag them as taken."""
    if not uids:
        return
    if mailbox.imap_move_to:
        if client.has_capability("MOVE"):
            client.move(uids, mailbox.imap_move_to)
        else:
            client.copy(uids, mailbox.imap_move_to)
            client.delete_messages(uids)
            client.expunge()
        return
    try:
        client.add_flags(uids, [FETCHED_FLAG])
    except Exception:
        # Servers without custom keywords: fall back to \Seen.
        client.add_flags(uids, [b"\\Seen"])


def fetch_mailbox(mailbox: Mailbox, client: Any) -> Summary:
    """One pass over one mailbox's folder with an open connection."""
    summary = Summary()
    info = client.select_folder(mailbox.imap_folder)
    uidvalidity = int(info.get(b"UIDVALIDITY", 0))
    last_uid = mailbox.imap_last_uid
    if mailbox.imap_uidvalidity != uidvalidity:
        # The server renumbered the folder: start over; the MessageKey constraint stops doubles.
        last_uid = 0
        Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=uidvalidity, imap_last_uid=0)
        mailbox.imap_uidvalidity, mailbox.imap_last_uid = uidvalidity, 0
    if mailbox.imap_move_to:
        uids = sorted(client.search(["ALL"]))
    else:
        uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    for start in range(0, len(uids), FETCH_CHUNK):
        chunk = uids[start : start + FETCH_CHUNK]
        fetched = client.fetch(chunk, ["BODY.PEEK[]"])
        present = [uid for uid in chunk if uid in fetched]
        stored = store_batch(
            [fetched[uid][b"BODY[]"] for uid in present], source=RawEmail.Source.IMAP, mailbox=mailbox
        )  # committed on return
        taken: list[int] = []
        for uid, (raw, _created, _data, _error) in zip(present, stored, strict=True):
            if raw is None:
                break  # not stored: leave it, and everything after it, for the next pass
            taken.append(uid)
        _mark(client, mailbox, taken)
        if taken:
            mailbox.imap_last_uid = max(mailbox.imap_last_uid, taken[-1])
            Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=mailbox.imap_last_uid)
        process_batch(stored[: len(taken)], summary)
        summary.failed += len(stored) - len(taken)
        if len(taken) < len(present):
            break
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_fetch_at=timezone.now(), imap_last_error="")
    return summary


class Fetcher:
    """Keeps one connection per mailbox, reconnecting after drops, with IDLE or polling between passes."""

    def __init__(self, *, poll_interval: float = 60, idle_timeout: float = 300) -> None:
        self.owner = f"{socket.gethostname()}:{secrets.token_hex(4)}"
        self.clients: dict[int, Any] = {}
        self.poll_interval = poll_interval
        self.idle_timeout = idle_timeout
        self.stopping = threading.Event()
        self.failures: dict[int, int] = {}

    def _client(self, mailbox: Mailbox) -> Any:
        client = self.clients.get(mailbox.pk)
        if client is None:
            client = connect(mailbox)
            self.clients[mailbox.pk] = client
        return client

    def _drop(self, mailbox: Mailbox) -> None:
        client = self.clients.pop(mailbox.pk, None)
        if client is not None:
            try:
                client.logout()
            except Exception:
                try:
                    client.shutdown()
                except Exception:
                    logger.debug("closing a broken IMAP connection failed", exc_info=True)

    def run_once(self) -> Summary:
        total = Summary()
        for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="").exclude(imap_username=""):
            if not acquire_lease(mailbox, self.owner):
                logger.info("mailbox %s is being fetched by another process", mailbox.address)
                continue
            try:
                summary = fetch_mailbox(mailbox, self._client(mailbox))
                self.failures.pop(mailbox.pk, None)
            except Exception as error:
                # Connection drops, timeouts, server errors: forget the connection, try again later.
                logger.warning("fetching %s failed: %s", mailbox.address, error)
                self._drop(mailbox)
                self.failures[mailbox.pk] = self.failures.get(mailbox.pk, 0) + 1
                Mailbox.objects.filter(pk=mailbox.pk).update(
                    imap_last_error=f"{type(error).__name__}: {error}"[:2000]
                )
                continue
            finally:
                release_lease(mailbox, self.owner)
            for name in ("conversations_created", "messages_appended", "duplicates", "quarantined", "failed"):
                setattr(total, name, getattr(total, name) + getattr(summary, name))
        return total

    def wait_for_mail(self) -> None:
        """IDLE on the only mailbox when the server can; otherwise sleep the poll interval."""
        mailboxes = list(
            Mailbox.objects.filter(is_active=True).exclude(imap_host="").exclude(imap_username="")
        )
        if self.failures:
            backoff = min(300, 5 * 2 ** min(6, max(self.failures.values())))
            self.stopping.wait(backoff)
            return
        if len(mailboxes) == 1 and mailboxes[0].pk in self.clients:
            client = self.clients[mailboxes[0].pk]
            try:
                if client.has_capability("IDLE"):
                    client.idle()
                    try:
                        deadline = time.monotonic() + self.idle_timeout
                        while not self.stopping.is_set() and time.monotonic() < deadline:
                            if client.idle_check(timeout=5):
                                break
                    finally:
                        client.idle_done()
                    return
            except Exception as error:
                logger.warning("IDLE failed: %s", error)
                self._drop(mailboxes[0])
        self.stopping.wait(self.poll_interval)

    def run_forever(self) -> None:
        while not self.stopping.is_set():
            close_old_connections()
            try:
                self.run_once()
            except Exception:
                logger.exception("fetch pass failed")
            self.wait_for_mail()
        self.close()

    def close(self) -> None:
        for mailbox_id in list(self.clients):
            self._drop(Mailbox(pk=mailbox_id))
