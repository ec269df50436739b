"""Batches for ingest-email, smtpd and fetchmail: store (committed) then process."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from goodwill.channels.email.intake.bulk import _process_in_order
from goodwill.channels.email.intake.directory import _batch_directory, _parse_ahead, _read_ahead
from goodwill.channels.email.intake.pipeline import process_raw
from goodwill.channels.email.intake.quarantine import _quarantine
from goodwill.channels.email.intake.storage import _write_raw_file, printable, read_raw, store_raw
from goodwill.channels.email.models import (
    Mailbox,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.writelock import intake_write_lock

logger = logging.getLogger("goodwill.email")

State = RawEmail.State


# --- batches (ingest-email, smtpd, fetchmail) ---------------------------------------------------------


@dataclass
class Summary:
    """The ingest-email contract: received is the sum of the other five."""

    conversations_created: int = 0
    messages_appended: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def received(self) -> int:
        return (
            self.conversations_created
            + self.messages_appended
            + self.duplicates
            + self.quarantined
            + self.failed
        )

    def count(self, state: str) -> None:
        if state == State.CREATED:
            self.conversations_created += 1
        elif state == State.APPENDED:
            self.messages_appended += 1
        elif state in (State.DUPLICATE, State.DELETED):
            self.duplicates += 1
        elif state == State.QUARANTINED:
            self.quarantined += 1
        else:
            self.failed += 1

    def as_dict(self) -> dict[str, int]:
        return {
            "received": self.received,
            "conversations_created": self.conversations_created,
            "messages_appended": self.messages_appended,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "failed": self.failed,
        }


def _chunks(items: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


Envelope = tuple[str, list[str], "Mailbox | None"]  # SMTP MAIL FROM, RCPT TO, the mailbox they map to


def store_batch(
    items: list[bytes],
    *,
    source: str,
    mailbox: Mailbox | None = None,
    envelopes: list[Envelope] | None = None,
) -> list[tuple[RawEmail | None, bool, bytes, str]]:
    """Store many raw emails in one transaction (committed on return).

    One query finds the ones we have, one multi-row INSERT adds the rest. If another
    process stored one of them at the same moment, the batch is stored item by item.
    Returns (row or None, created, bytes, error) per item; a row of None could not be stored.
    """
    digests = [hashlib.sha256(data).hexdigest() for data in items]
    try:
        known = {row.sha256: row for row in RawEmail.objects.filter(sha256__in=set(digests))}
        fresh: dict[str, RawEmail] = {}
        errors: dict[str, str] = {}
        now = timezone.now()
        for index, (data, digest) in enumerate(zip(items, digests, strict=True)):
            if digest in known or digest in fresh or digest in errors:
                continue
            envelope_from, envelope_to, item_mailbox = envelopes[index] if envelopes else ("", [], mailbox)
            try:
                path = _write_raw_file(digest, data)
            except Exception as error:
                logger.exception("could not write a raw email")
                errors[digest] = f"{type(error).__name__}: {error}"
                continue
            fresh[digest] = RawEmail(
                sha256=digest,
                path=path,
                size=len(data),
                source=source,
                mailbox=item_mailbox,
                received_at=now,
                envelope_from=printable(envelope_from)[:500],
                envelope_to=[printable(address)[:500] for address in envelope_to][:100],
            )
        with intake_write_lock(), transaction.atomic():
            RawEmail.objects.bulk_create(list(fresh.values()), batch_size=200)
    except IntegrityError:
        return _store_one_by_one(items, source=source, mailbox=mailbox, envelopes=envelopes)
    except Exception as error:
        logger.exception("could not commit a batch of raw emails")
        return [(None, False, data, f"{type(error).__name__}: {error}") for data in items]
    results: list[tuple[RawEmail | None, bool, bytes, str]] = []
    handed_out: set[str] = set()
    for data, digest in zip(items, digests, strict=True):
        if digest in errors:
            results.append((None, False, data, errors[digest]))
        elif digest in fresh:
            results.append((fresh[digest], digest not in handed_out, data, ""))
            handed_out.add(digest)
        else:
            results.append((known[digest], False, data, ""))
    return results


def _store_one_by_one(
    items: list[bytes], *, source: str, mailbox: Mailbox | None, envelopes: list[Envelope] | None
) -> list[tuple[RawEmail | None, bool, bytes, str]]:
    results: list[tuple[RawEmail | None, bool, bytes, str]] = []
    try:
        with transaction.atomic():
            for index, data in enumerate(items):
                envelope_from, envelope_to, item_mailbox = (
                    envelopes[index] if envelopes else ("", [], mailbox)
                )
                try:
                    raw, created = store_raw(  # its own savepoint
                        data,
                        source=source,
                        mailbox=item_mailbox,
                        envelope_from=envelope_from,
                        envelope_to=envelope_to,
                    )
                    results.append((raw, created, data, ""))
                except Exception as error:
                    logger.exception("could not store a raw email")
                    results.append((None, False, data, f"{type(error).__name__}: {error}"))
    except Exception as error:
        logger.exception("could not commit a batch of raw emails")
        return [(None, False, data, f"{type(error).__name__}: {error}") for data in items]
    return results


def process_batch(stored: list[tuple[RawEmail | None, bool, bytes, str]], summary: Summary) -> None:
    """Process stored raw emails in one transaction, a savepoint each; falls back to one by one."""
    todo: list[tuple[RawEmail, bytes]] = []
    seen: set[int] = set()
    for raw, _created, data, error in stored:
        if raw is None:
            summary.failed += 1
            summary.errors.append(error)
        elif raw.pk in seen or raw.state != State.PENDING:
            summary.duplicates += 1
        else:
            seen.add(raw.pk)
            todo.append((raw, data))
    if not todo:
        return
    states: list[str] = []
    try:
        with _batch_directory():
            _parse_ahead(todo)
            with transaction.atomic():
                _read_ahead(todo)
                states = _process_in_order(todo)
    except Exception:
        logger.exception("batch processing failed; processing one by one")
        states = _process_one_by_one(todo, summary.errors)
    for state in states:
        if state == State.PENDING:
            summary.failed += 1
        else:
            summary.count(state)


def _process_one_by_one(todo: Sequence[tuple[RawEmail, bytes | None]], errors: list[str]) -> list[str]:
    """After a failed batch: each message in its own transaction, so one bad message stops nothing."""
    states = []
    for raw, data in todo:
        try:
            raw.refresh_from_db()
            with _batch_directory(), transaction.atomic():
                states.append(process_raw(raw, data=data).state)
        except Exception as error:
            logger.exception("processing raw email %s failed", raw.pk)
            errors.append(f"{type(error).__name__}: {error}")
            states.append(_force_quarantine(raw, error))
    return states


def _force_quarantine(raw: RawEmail, error: Exception) -> str:
    """Quarantine a message the pipeline keeps failing on; its final state (PENDING if even this failed)."""
    try:
        with transaction.atomic():
            raw.refresh_from_db()
            if raw.state != State.PENDING:
                return raw.state
            return _quarantine(
                raw, Quarantine.Reason.ERROR, f"{type(error).__name__}: {error}", mailbox=raw.mailbox
            )
    except Exception:
        logger.exception("could not quarantine raw email %s", raw.pk)
        return State.PENDING


def ingest_many(
    items: Iterable[bytes],
    *,
    source: str = RawEmail.Source.FILE,
    mailbox: Mailbox | None = None,
    batch_size: int = 200,
) -> Summary:
    """Store (committed per batch) then process; the engine behind `goodwill ingest-email`."""
    summary = Summary()
    for batch in _chunks(items, batch_size):
        stored = store_batch(batch, source=source, mailbox=mailbox)
        process_batch(stored, summary)
    return summary


def process_pending(limit: int = 200) -> int:
    """Process raw emails left pending (stored by smtpd/fetchmail, or interrupted). Returns how many."""
    rows = list(RawEmail.objects.filter(state=State.PENDING).select_related("mailbox").order_by("id")[:limit])
    if not rows:
        return 0
    contents: list[tuple[RawEmail, bytes | None]] = []
    for raw in rows:
        try:
            contents.append((raw, read_raw(raw)))
        except OSError:
            contents.append((raw, None))  # process_raw tries again and quarantines it
    try:
        with _batch_directory():
            _parse_ahead(contents)
            with intake_write_lock(), transaction.atomic():
                _read_ahead(contents)
                _process_in_order(contents)
    except Exception:
        logger.exception("processing pending mail failed; processing one by one")
        _process_one_by_one([(raw, None) for raw in rows], [])
    return len(rows)
