"""Plain messages of a batch are written in bulk: the same rows as one message at a time."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from goodwill.channels.email.intake import (
    Summary,
    batches,
    bulk,
    ingest_many,
    pipeline,
    process_batch,
    store_batch,
)
from goodwill.channels.email.models import EmailDetails, MessageKey, Quarantine, RawEmail
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
            Event.objects.exclude(kind__in=[Event.Kind.CUSTOMER_CREATED, Event.Kind.EMAIL_QUARANTINED]),
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


def test_a_batch_leaves_the_same_rows_in_bulk_as_one_message_at_a_time(eml, agent, monkeypatch):
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

    grouped: list[int] = []
    write_group = bulk._write_group
    monkeypatch.setattr(
        bulk, "_write_group", lambda group: grouped.append(len(group.plans)) or write_group(group)
    )
    in_bulk = run()
    assert sum(grouped) >= 12  # most of the batch took the bulk path
    monkeypatch.setattr(bulk, "_plan", lambda *args: None)  # every message on the one-message path
    one_by_one = run()
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
            mail("Bo <bo@example.org>", "a3@example.org", minute=3, extra="References: <a1@example.org>\r\n"),
        ]
    )
    assert (summary.conversations_created, summary.messages_appended) == (1, 2)
    conversation = Conversation.objects.get()
    assert conversation.message_count == 3
    assert conversation.created_at.minute == 1 and conversation.last_message_at.minute == 3
    assert list(conversation.messages.values_list("author_customer__name", flat=True)) == ["Ada", "Ada", "Bo"]
    assert Customer.objects.count() == 2


def test_a_message_another_process_took_meanwhile_is_stored_once(monkeypatch):
    """The group meets the MessageKey constraint, rolls back and goes one by one."""
    batch = [mail("Ada <ada@example.org>", f"m{i}@example.org", minute=i) for i in range(4)]
    original = batches._read_ahead

    def another_process_takes_one(items):  # type: ignore[no-untyped-def]
        original(items)
        raw, data = items[2]
        MessageKey.objects.create(key=pipeline._key_of(raw, data), raw=None, message=None)

    monkeypatch.setattr(batches, "_read_ahead", another_process_takes_one)
    summary = ingest_many(batch)
    assert (summary.conversations_created, summary.duplicates, summary.failed) == (3, 1, 0)
    assert Message.objects.count() == 3
    assert not Message.objects.filter(message_id="m2@example.org").exists()
    assert RawEmail.objects.filter(state=RawEmail.State.DUPLICATE).count() == 1


def test_a_message_another_process_finished_meanwhile_is_left_alone(monkeypatch):
    batch = [mail("Ada <ada@example.org>", f"m{i}@example.org", minute=i) for i in range(3)]
    original = batches._read_ahead

    def another_process_finishes_one(items):  # type: ignore[no-untyped-def]
        original(items)
        RawEmail.objects.filter(pk=items[1][0].pk).update(state=RawEmail.State.APPENDED)

    monkeypatch.setattr(batches, "_read_ahead", another_process_finishes_one)
    summary = ingest_many(batch)
    assert (summary.conversations_created, summary.messages_appended) == (2, 1)
    assert Message.objects.count() == 2
    assert not Message.objects.filter(message_id="m1@example.org").exists()
    assert not RawEmail.objects.filter(state=RawEmail.State.PENDING).exists()
