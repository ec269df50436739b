"""Plain messages of a batch are written in bulk: the same rows as one message at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from goodwill.channels.email.intake import (
    Summary,
    ingest_many,
    process_batch,
    process_pending,
    process_raw,
    release_quarantined,
    store_batch,
    store_raw,
)
from goodwill.channels.email.intake.rows import QUARANTINED_EVENT
from goodwill.channels.email.models import EmailDetails, Mailbox, MessageKey, Quarantine, RawEmail
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import change_status
from goodwill.core.models import Event
from goodwill.customers.models import Customer, Identity
from goodwill.customers.services import create_customer

pytestmark = pytest.mark.django_db

MESSAGES = [
    "plain.eml",
    "html_only.eml",
    "inline_image.eml",
    "attachment_rfc2231.eml",
    "auto_reply.eml",
    "bounce_dsn.eml",
    "bulk_list.eml",
    "forwarded.eml",
    "garbage.eml",
    "no_from.eml",
    "reply_gmail.eml",
    "reply_outlook.eml",
    "reply_apple.eml",
    "rfc2047_latin1.eml",
    "lying_charset.eml",
]


def mail(sender: str, msgid: str, *, subject: str = "Help", extra: str = "", minute: int = 0) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@goodwill.test\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
        f"Date: Mon, 02 Nov 2026 10:{minute:02d}:00 +0000\r\n{extra}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nAbout {msgid}\r\n"
    ).encode()


def snapshot() -> dict[str, list[Any]]:
    """Every row the intake writes, by natural keys (primary keys differ between runs)."""

    def rows(queryset: Any, *fields: str) -> list[Any]:
        return sorted(map(repr, queryset.values_list(*fields)))

    return {
        "conversations": rows(
            Conversation.objects,
            "number",
            "subject",
            "status",
            "channel",
            "message_count",
            "team",
            "last_message_at",
            "last_inbound_at",
            "waiting_since",
            "solved_at",
            "created_at",
            "customer__identities__value",
        ),
        "messages": rows(
            Message.objects,
            "conversation__number",
            "text",
            "new_text",
            "html",
            "message_id",
            "raw_path",
            "created_at",
            "author_customer__identities__value",
            "attachments__filename",
        ),
        "events": rows(
            Event.objects,
            "kind",
            "customer__identities__value",
            "conversation__number",
            "subject_type",
            "before",
            "after",
        ),
        "event_times": rows(  # the others are stamped with the time of processing
            Event.objects.exclude(kind__in=[Event.Kind.CUSTOMER_CREATED, QUARANTINED_EVENT]),
            "kind",
            "conversation__number",
            "created_at",
        ),
        "customers": rows(Customer.objects, "name", "last_contact_at", "identities__value"),
        "identities": rows(Identity.objects, "value", "kind", "is_primary"),
        "details": rows(
            EmailDetails.objects,
            "message__message_id",
            "raw__sha256",
            "message_id_header",
            "from_address",
            "subject",
            "robot",
        ),
        "keys": rows(MessageKey.objects, "key", "raw__sha256", "message__message_id"),
        "raw": rows(RawEmail.objects, "sha256", "state", "attempts"),
        "quarantine": rows(Quarantine.objects, "raw__sha256", "reason", "sender"),
    }


def test_a_batch_leaves_the_same_rows_in_bulk_as_one_message_at_a_time(eml, agent):
    old = ingest_many([mail("Olga <olga@example.org>", "old@example.org", subject="Old problem")])
    assert old.conversations_created == 1
    solved = Conversation.objects.get()
    change_status(solved, Conversation.Status.SOLVED, by=agent)
    create_customer(emails=["nameless@example.org"])
    batch = [
        mail("Ada <ada@example.org>", "a1@example.org", minute=1),
        mail("Ada <ada@example.org>", "a2@example.org", minute=2, extra="In-Reply-To: <a1@example.org>\r\n"),
        mail(
            "Bo <bo@example.org>",
            "a3@example.org",
            minute=3,
            extra="References: <a1@example.org> <a2@example.org>\r\n",
        ),
        mail(
            "Olga <olga@example.org>",
            "old2@example.org",
            minute=4,
            extra="In-Reply-To: <old@example.org>\r\n",
        ),
        mail(
            "Olga <olga@example.org>",
            "old3@example.org",
            minute=5,
            extra="In-Reply-To: <old2@example.org>\r\n",
        ),
        mail("new@example.org", "n1@example.org", minute=6),
        mail("Nina New <new@example.org>", "n2@example.org", minute=7),
        mail("Named Now <nameless@example.org>", "x1@example.org", minute=8),
        *(eml(name) for name in MESSAGES),
        b"Delivered-To: billing@goodwill.test\r\n"
        + mail("Ada <ada@example.org>", "a1@example.org", minute=1),
        mail("Olga <olga@example.org>", "tag@example.org", minute=9, subject=f"Re: [#{solved.number}] again"),
        mail("Cy <cy@example.org>", "c1@example.org", minute=10, extra="In-Reply-To: <a3@example.org>\r\n"),
        mail("Dee <dee@example.org>", "d1@example.org", minute=11),
        mail("Dee <dee@example.org>", "d2@example.org", minute=12, extra="In-Reply-To: <x1@example.org>\r\n"),
    ]
    stored = store_batch(batch, source=RawEmail.Source.FILE)

    def run() -> tuple[dict[str, int], dict[str, list[Any]]]:
        fresh = [
            (RawEmail.objects.get(pk=raw.pk), created, data, error) for raw, created, data, error in stored
        ]
        summary = Summary()
        with transaction.atomic():
            process_batch(fresh, summary)
            rows = snapshot()
            transaction.set_rollback(True)
        return summary.as_dict(), rows

    def one_at_a_time() -> tuple[dict[str, int], dict[str, list[Any]]]:
        summary = Summary()
        with transaction.atomic():
            for raw, _created, _data, _error in stored:
                assert raw is not None
                summary.count(process_raw(RawEmail.objects.get(pk=raw.pk)).state)
            rows = snapshot()
            transaction.set_rollback(True)
        return summary.as_dict(), rows

    with CaptureQueriesContext(connection) as bulk_queries:
        in_bulk = run()
    with CaptureQueriesContext(connection) as single_queries:
        one_by_one = one_at_a_time()
    # Most of the batch was written together: far fewer statements than one message at a time.
    assert len(bulk_queries) * 2 < len(single_queries)
    assert in_bulk[0] == one_by_one[0]
    for table in in_bulk[1]:
        assert in_bulk[1][table] == one_by_one[1][table], table
    summary = in_bulk[0]
    assert summary["duplicates"] == 1 and summary["quarantined"] >= 2 and summary["failed"] == 0
    # The replies found their conversations, in this batch and before it.
    assert any("'old3@example.org'" in row and f"({solved.number}," in row for row in in_bulk[1]["messages"])


def test_replies_within_one_batch_join_the_conversation_their_first_message_opened():
    summary = ingest_many(
        [
            mail("Ada <ada@example.org>", "a1@example.org", minute=1),
            mail(
                "Ada <ada@example.org>", "a2@example.org", minute=2, extra="In-Reply-To: <a1@example.org>\r\n"
            ),
            mail(
                "Ada <ada@example.org>", "a3@example.org", minute=3, extra="References: <a1@example.org>\r\n"
            ),
            # Bo takes no part in Ada's conversation: his answer opens his own, linked to hers.
            mail("Bo <bo@example.org>", "b1@example.org", minute=4, extra="References: <a1@example.org>\r\n"),
        ]
    )
    assert (summary.conversations_created, summary.messages_appended) == (2, 2)
    ada = Conversation.objects.get(customer__name="Ada")
    assert ada.created_at.minute == 1 and ada.last_message_at.minute == 3
    assert list(ada.messages.filter(direction="in").values_list("author_customer__name", flat=True)) == [
        "Ada",
        "Ada",
        "Ada",
    ]
    bo = Conversation.objects.get(customer__name="Bo")
    assert f"#{ada.number}" in bo.messages.get(direction="internal").text
    assert Customer.objects.count() == 2


def _in_thread(work: Callable[[], Any], barrier: threading.Barrier, errors: list[BaseException]) -> None:
    try:
        barrier.wait(timeout=30)
        work()
    except BaseException as error:  # noqa: BLE001 (reported by the test)
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.parametrize("timing", ["just before", "at the same time"])
@pytest.mark.parametrize("other_writer", ["processes the same stored mail", "takes the same messages"])
@pytest.mark.django_db(transaction=True)
def test_a_batch_racing_another_writer_stores_each_message_once(other_writer, timing):
    """Another writer between our store and our processing, or beside it: every message once.

    "Just before" leaves our batch holding stale rows; "at the same time" lets the two interleave
    as they will (PostgreSQL only: SQLite's shared in-memory test database refuses a second writer
    instead of waiting for it).
    """
    if timing == "at the same time" and connection.vendor == "sqlite":
        pytest.skip("needs a database that queues concurrent writers")
    batch = [mail("Ada <ada@example.org>", f"m{i}@example.org", minute=i) for i in range(12)]
    stored = store_batch(batch, source=RawEmail.Source.FILE)
    copies = [b"Delivered-To: billing@goodwill.test\r\n" + data for data in batch]  # same Message-IDs

    def other() -> None:
        if other_writer == "processes the same stored mail":
            process_pending()
        else:
            ingest_many(copies)

    summary = Summary()
    if timing == "just before":
        other()
        process_batch(stored, summary)
        _assert_each_message_once(summary, batch)
        return
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_in_thread, args=(other, barrier, errors)),
        threading.Thread(target=_in_thread, args=(lambda: process_batch(stored, summary), barrier, errors)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    _assert_each_message_once(summary, batch)


def _assert_each_message_once(summary: Summary, batch: list[bytes]) -> None:
    assert summary.failed == 0 and summary.received == len(batch)
    ids = sorted(Message.objects.values_list("message_id", flat=True))
    assert ids == sorted(f"m{i}@example.org" for i in range(12))
    assert MessageKey.objects.count() == 12
    assert not RawEmail.objects.filter(state=RawEmail.State.PENDING).exists()


@pytest.mark.parametrize("path", ["one message", "release from quarantine"])
def test_every_path_builds_the_same_message_from_the_same_email(path, agent, support_team, settings):
    """Mailbox (from Delivered-To), team and time (the Date header of a file) agree on every path."""
    Mailbox.objects.create(name="Billing", address="billing@goodwill.test", team=support_team)
    data = b"Delivered-To: billing@goodwill.test\r\n" + mail(
        "Ada <ada@example.org>", "p1@example.org", minute=5
    )
    paths = {
        "bulk": lambda: ingest_many([data]),
        "one message": lambda: process_raw(store_raw(data, source=RawEmail.Source.FILE)[0]),
        "release from quarantine": lambda: _quarantine_then_release(data, agent, settings),
    }

    def rows_after(run: Callable[[], object]) -> dict[str, list[Any]]:
        with transaction.atomic():
            run()
            rows = {
                table: snapshot()[table]
                for table in ("conversations", "messages", "customers", "details", "keys")
            }
            transaction.set_rollback(True)
        return rows

    assert rows_after(paths[path]) == rows_after(paths["bulk"])
    paths[path]()
    conversation = Conversation.objects.get()
    assert conversation.team == support_team
    assert (conversation.created_at.hour, conversation.created_at.minute) == (10, 5)


def _quarantine_then_release(data: bytes, agent: Any, settings: Any) -> None:
    limit = settings.GOODWILL_EMAIL_MAX_BYTES if hasattr(settings, "GOODWILL_EMAIL_MAX_BYTES") else None
    settings.GOODWILL_EMAIL_MAX_BYTES = 100
    assert ingest_many([data]).quarantined == 1
    if limit is None:
        del settings.GOODWILL_EMAIL_MAX_BYTES
    else:
        settings.GOODWILL_EMAIL_MAX_BYTES = limit
    release_quarantined(Quarantine.objects.get(), by=agent)
