"""SMTP intake: `250` only after the raw message is committed.

The asyncio SMTP sessions (aiosmtpd) hand each message to one database thread. That
thread commits whatever has queued up in one transaction (group commit: concurrent
senders share a single fsync) and only then releases the sessions, which answer 250.

Stored messages are processed either by a processor process beside this one
(`processors=1`, what `goodwill smtpd` does: see processor.py), which puts parsing and
threading on another core, or by the same database thread between batches
(`processors=0`, for tests that run the server inside their own process and database).
Either way parsing never delays an acknowledgement much, and a crash leaves at worst
some stored, still pending messages, which are processed on the next start.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.db import close_old_connections, connection

from goodwill.channels.email.intake import base_address, process_pending, store_batch
from goodwill.channels.email.models import Mailbox, RawEmail
from goodwill.channels.email.processor import ProcessorProcess

logger = logging.getLogger("goodwill.email.smtpd")

DEFAULT_MAX_BYTES = 40 * 1024 * 1024


@dataclass
class _Item:
    data: bytes
    mail_from: str
    rcpt_tos: list[str]
    future: Future = field(default_factory=Future)


class IntakeWriter(threading.Thread):
    """The one thread that talks to the database: stores in batches, then processes."""

    def __init__(
        self,
        *,
        max_batch: int = 500,
        process: bool = True,
        process_batch: int = 50,
        idle_process_batch: int = 200,
    ) -> None:
        super().__init__(name="goodwill-smtpd-writer", daemon=True)
        self.process = process  # False: a processor process does it
        self.items: queue.Queue[_Item] = queue.Queue()
        self.max_batch = max_batch
        self.process_batch = (
            process_batch  # while mail is arriving: ~0.1 s of work, so acknowledgements wait little
        )
        self.idle_process_batch = idle_process_batch  # a second after the last: larger, cheaper per message
        self._stored_at = 0.0
        self.stopping = threading.Event()
        self.idle = threading.Event()
        self.mailboxes: dict[str, Mailbox | None] = {}
        self.accept_any = True
        self._mailboxes_loaded_at = 0.0
        self.ready = threading.Event()

    def submit(self, data: bytes, mail_from: str, rcpt_tos: list[str]) -> Future:
        item = _Item(data, mail_from, rcpt_tos)
        self.items.put(item)
        return item.future

    def accepts(self, address: str) -> bool:
        return self.accept_any or base_address(address) in self.mailboxes

    def _load_mailboxes(self) -> None:
        from goodwill.accounts.models import Team

        mailboxes: dict[str, Mailbox | None] = {
            m.address.lower(): m for m in Mailbox.objects.filter(is_active=True)
        }
        team_addresses: dict[str, Mailbox | None] = {
            address.lower(): None
            for address in Team.objects.exclude(email_address="").values_list("email_address", flat=True)
        }
        self.mailboxes = {**team_addresses, **mailboxes}
        # With no mailbox configured (a fresh install) every recipient lands in the shared inbox.
        self.accept_any = not self.mailboxes
        self._mailboxes_loaded_at = time.monotonic()

    def run(self) -> None:
        try:
            self._load_mailboxes()
        finally:
            self.ready.set()
        try:
            while not self.stopping.is_set():
                if time.monotonic() - self._mailboxes_loaded_at > 30:
                    close_old_connections()
                    self._load_mailboxes()
                batch = self._take(timeout=0.05)
                if batch:
                    self._store(batch)
                    continue
                if self.process and self._process_some():
                    continue
                self.idle.set()
                batch = self._take(timeout=0.5)
                self.idle.clear()
                if batch:
                    self._store(batch)
        finally:
            connection.close()

    def _take(self, timeout: float) -> list[_Item]:
        try:
            first = self.items.get(timeout=timeout)
        except queue.Empty:
            return []
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                batch.append(self.items.get_nowait())
            except queue.Empty:
                break
        return batch

    def _mailbox_for(self, rcpt_tos: list[str]) -> Mailbox | None:
        for address in rcpt_tos:
            mailbox = self.mailboxes.get(base_address(address))
            if mailbox is not None:
                return mailbox
        return None

    def _store(self, batch: list[_Item]) -> None:
        """One transaction for everything queued (group commit), then release the waiting sessions."""
        envelopes = [(item.mail_from, item.rcpt_tos, self._mailbox_for(item.rcpt_tos)) for item in batch]
        stored = store_batch(
            [item.data for item in batch], source=RawEmail.Source.SMTP, envelopes=envelopes
        )  # committed on return
        self._stored_at = time.monotonic()
        for item, (raw, _created, _data, error) in zip(batch, stored, strict=True):
            if raw is None:
                item.future.set_exception(RuntimeError(error))
            else:
                item.future.set_result(raw.pk)

    def _process_some(self) -> bool:
        try:
            arriving = not self.items.empty() or time.monotonic() - self._stored_at < 1.0
            limit = self.process_batch if arriving else self.idle_process_batch
            return process_pending(limit=limit) > 0
        except Exception:
            logger.exception("processing stored mail failed; retrying later")
            close_old_connections()
            time.sleep(1)
            return False

    def stop(self) -> None:
        self.stopping.set()


class IntakeHandler:
    """aiosmtpd handler: check recipients, hand DATA to the writer, answer after the commit."""

    def __init__(self, writer: IntakeWriter) -> None:
        self.writer = writer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if not self.writer.accepts(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        data = envelope.original_content or b""
        future = self.writer.submit(data, envelope.mail_from or "", list(envelope.rcpt_tos))
        try:
            raw_id = await asyncio.wrap_future(future)
        except Exception:
            return "451 4.3.0 Could not store the message, please try again later"
        return f"250 2.0.0 OK stored as {raw_id}"


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOMAIN_LABEL = r"[A-Za-z0-9-]+"
_PLAIN_PATH = re.compile(
    rf"\s*<({_ATEXT}(?:\.{_ATEXT})*@{_DOMAIN_LABEL}(?:\.{_DOMAIN_LABEL})*)>[ \t]*(.*)", re.DOTALL
)


class IntakeSMTP(SMTP):  # type: ignore[misc]
    """aiosmtpd's session with a fast path for the common `<local@domain>` in MAIL and RCPT."""

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        # The stdlib header parser behind aiosmtpd's version costs a fifth of a session's CPU;
        # a plain dot-atom address gives the same answer here, anything else takes the parser.
        match = _PLAIN_PATH.fullmatch(arg)
        if match is None:
            return super()._getaddr(arg)  # type: ignore[no-any-return]
        address, rest = match.group(1), match.group(2)
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, rest


class IntakeController(Controller):  # type: ignore[misc]
    """aiosmtpd's controller, serving IntakeSMTP sessions."""

    def factory(self):  # type: ignore[no-untyped-def]
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)


class IntakeServer:
    """The SMTP server, its database thread and, with `processors=1`, its processor process.

    `start()`/`stop()` for tests and the command; with a processor, call `start()` and
    `check()` from the main thread (see ProcessorProcess).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2525,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        processors: int = 0,
    ) -> None:
        if processors not in (0, 1):
            raise ValueError("processors must be 0 (in this process) or 1 (a process beside it)")
        self.processor = ProcessorProcess() if processors else None
        self.writer = IntakeWriter(process=self.processor is None)
        self.controller = IntakeController(
            IntakeHandler(self.writer),
            hostname=host,
            port=port,
            data_size_limit=max_bytes,
            ident="Goodwill intake",
            server_hostname=host,
        )

    def start(self) -> None:
        if self.processor is not None:
            self.processor.start()  # processes what an earlier run left pending meanwhile
        self.writer.start()
        self.writer.ready.wait(30)
        self.controller.start()

    def check(self) -> bool:
        """False if the database thread stopped; restarts a processor process that died."""
        if self.processor is not None:
            self.processor.check()
        return self.writer.is_alive()

    def stop(self) -> None:
        try:
            self.controller.stop()
            self.writer.stop()
            self.writer.join(timeout=30)
        finally:
            if self.processor is not None:
                self.processor.stop()

    @staticmethod
    def _pending() -> bool:
        return RawEmail.objects.filter(state=RawEmail.State.PENDING).exists()

    def wait_until_processed(self, timeout: float = 30) -> bool:
        """For tests: until the queue is empty and nothing is pending."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            drained = self.writer.idle.is_set() and self.writer.items.empty()
            if drained and (self.processor is None or not self._pending()):
                return True
            time.sleep(0.02)
        return False
