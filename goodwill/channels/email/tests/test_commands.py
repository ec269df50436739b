"""`goodwill ingest-email` keeps the contract in CONTRACTS.md."""

from __future__ import annotations

import io
import json
import mailbox
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from goodwill.channels.email.tests.conftest import MESSAGES
from goodwill.conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db

KEYS = ["received", "conversations_created", "messages_appended", "duplicates", "quarantined", "failed"]


def ingest(*paths: str) -> dict:
    out = io.StringIO()
    call_command("ingest_email", *paths, stdout=out, stderr=io.StringIO())
    last = out.getvalue().strip().splitlines()[-1]
    result = json.loads(last)
    assert list(result) == KEYS
    assert result["received"] == sum(result[key] for key in KEYS[1:])
    return result


def test_it_ingests_a_directory_and_running_it_twice_changes_nothing():
    first = ingest(str(MESSAGES))
    count = len(list(MESSAGES.glob("*.eml")))
    assert first["received"] == count
    assert first["failed"] == 0
    assert first["quarantined"] == 5  # no From, garbage, too many parts, two delivery reports we cannot link
    assert first["messages_appended"] == 3  # the Gmail, Outlook and Apple Mail replies
    messages = Message.objects.count()
    second = ingest(str(MESSAGES))
    assert second == {**{key: 0 for key in KEYS}, "received": count, "duplicates": count}
    assert Message.objects.count() == messages


def test_it_reads_mbox_files(tmp_path: Path, eml):
    box = mailbox.mbox(str(tmp_path / "archive.mbox"))
    for name in ("plain.eml", "reply_gmail.eml", "html_only.eml"):
        box.add(eml(name))
    box.flush()
    box.close()
    result = ingest(str(tmp_path / "archive.mbox"))
    assert (result["conversations_created"], result["messages_appended"]) == (2, 1)


def test_it_reads_one_message_from_stdin(monkeypatch, eml):
    stdin = io.TextIOWrapper(io.BytesIO(eml("plain.eml")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert ingest("-")["conversations_created"] == 1
    assert Conversation.objects.get().subject == "My order has not arrived"


def test_a_path_that_cannot_be_read_counts_as_failed_and_exits_non_zero(tmp_path, eml):
    (tmp_path / "ok.eml").write_bytes(eml("plain.eml"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "ingest_email",
            str(tmp_path / "ok.eml"),
            str(tmp_path / "missing.eml"),
            stdout=out,
            stderr=io.StringIO(),
        )
    assert exit_.value.code == 1
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (result["received"], result["conversations_created"], result["failed"]) == (2, 1, 1)
