"""Each importer on its sample export, twice (nothing doubles), and on a broken copy (nothing written)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from goodwill.accounts.models import Agent
from goodwill.channels.email.intake import ingest_many
from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.core.events import subscribed
from goodwill.customers.models import Customer, Organisation
from goodwill.data.importers.base import ImportFailed
from goodwill.data.importers.sources import SOURCES
from goodwill.data.importers.writer import run_import
from goodwill.data.models import ImportedObject

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


def _import(name: str, path: Path | None = None):  # type: ignore[no-untyped-def]
    with subscribed({}):
        return run_import(SOURCES[name](path or SAMPLES / name))


def test_zendesk_sample():
    report = _import("zendesk")
    assert (
        report.counts["conversations"] == 2
        and report.counts["customers"] == 2
        and report.counts["agents"] == 2
    )
    assert {"kind": "conversation", "id": "35438", "reason": "deleted in Zendesk"} in report.skipped
    assert any(s["kind"] == "attachment" and "label.pdf" in s["id"] for s in report.skipped)
    conversation = Conversation.objects.get(custom_fields__original_number="35436")
    assert conversation.status == "solved" and conversation.priority == 3
    assert conversation.customer.organisation == Organisation.objects.get(name="Kettle Works GmbH")
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["kw-200", "warranty"]
    assert conversation.custom_fields["zendesk_field_360001"] == "KW-200"
    assert conversation.assignee.email == "ines@helpdesk.example" and not conversation.assignee.is_active
    kinds = list(conversation.messages.order_by("created_at").values_list("direction", "kind"))
    assert kinds == [("in", "reply"), ("internal", "note"), ("out", "reply")]
    reply = conversation.messages.get(direction="out")
    assert "<script" not in reply.html and reply.author_agent.name == "Ines Agent"
    assert Attachment.objects.get().file.read().startswith(b"Lid photo")
    assert Agent.objects.get(email="olaf@helpdesk.example").role == "admin"


def test_a_second_run_imports_nothing():
    _import("zendesk")
    before = (Conversation.objects.count(), Message.objects.count(), Customer.objects.count())
    report = _import("zendesk")
    assert (Conversation.objects.count(), Message.objects.count(), Customer.objects.count()) == before
    assert report.counts.get("conversations", 0) == 0 and report.counts["already_imported"] == 2


def test_an_interrupted_run_continues(tmp_path):
    """Simulate a crash after the first batch: the second run imports only the rest."""
    _import("zendesk")
    first = Conversation.objects.get(custom_fields__original_number="35437")
    Conversation.objects.filter(pk=first.pk).delete()
    ImportedObject.objects.filter(source="zendesk", kind="conversation", external_id="35437").delete()
    report = _import("zendesk")
    assert report.counts["conversations"] == 1 and report.counts["already_imported"] == 1
    assert Conversation.objects.count() == 2


def test_future_email_replies_thread_to_imported_conversations():
    _import("zendesk")
    conversation = Conversation.objects.get(custom_fields__original_number="35436")
    reply = (
        b"From: Mara Lind <mara.lind@kettleworks.example>\r\nTo: support@goodwill.test\r\n"
        b"Subject: Re: Kettle lid does not close\r\nMessage-ID: <later-1@mail.kettleworks.example>\r\n"
        b"In-Reply-To: <zd-9103@example.zendesk.com>\r\nContent-Type: text/plain\r\n\r\nThe lid arrived, thanks!\r\n"
    )
    again = (
        b"From: Mara Lind <mara.lind@kettleworks.example>\r\nTo: support@goodwill.test\r\nSubject: Kettle\r\n"
        b"Message-ID: <CAF=lid-1@mail.kettleworks.example>\r\nContent-Type: text/plain\r\n\r\nOld mail\r\n"
    )
    with subscribed({}):
        summary = ingest_many([reply, again])
    assert summary.messages_appended == 1 and summary.duplicates == 1
    assert conversation.messages.filter(text__contains="lid arrived").exists()


def test_freshdesk_sample():
    report = _import("freshdesk")
    assert report.counts["conversations"] == 1
    assert {"kind": "conversation", "id": "1202", "reason": "spam in Freshdesk"} in report.skipped
    conversation = Conversation.objects.get()
    assert (
        conversation.status == "solved" and conversation.custom_fields["freshdesk_cf_order_number"] == "5521"
    )
    texts = list(conversation.messages.order_by("created_at").values_list("kind", "text"))
    assert texts[0] == ("reply", "Half of the bulbs in order 5521 arrived broken.")
    assert texts[2][0] == "note" and len(texts) == 4
    assert conversation.customer.organisation.name == "Brightlamp Ltd"
    assert Attachment.objects.count() == 1


def test_helpscout_sample():
    report = _import("helpscout")
    assert report.counts["conversations"] == 1
    assert {"kind": "conversation", "id": "10202", "reason": "spam in Help Scout"} in report.skipped
    conversation = Conversation.objects.get()
    assert conversation.customer.identities.get().value == "jo.kim@example.net"
    assert list(conversation.messages.values_list("kind", flat=True)) == ["reply", "note", "reply"]
    assert conversation.messages.first().text.strip() == "I cannot log in since yesterday."
    assert conversation.custom_fields["helpscout_plan"] == "Pro"
    assert list(conversation.tags.values_list("name", flat=True)) == ["login"]


def test_csv_sample():
    report = _import("csv")
    assert report.counts["conversations"] == 2 and report.counts["internal_notes"] == 1
    conversation = Conversation.objects.get(custom_fields__original_number="T-1")
    assert conversation.custom_fields["order_ref"] == "ORD-77"
    assert conversation.assignee.email == "carla@helpdesk.example"
    assert conversation.messages.first().attachments.get().filename == "delivery-note.txt"


@pytest.mark.parametrize(
    ("name", "file", "damage"),
    [
        (
            "zendesk",
            "tickets.json",
            lambda text: (
                text + '{"id": 35499, "status": "open", "comments": [{"id": 1, "created_at": "yesterday"}]}\n'
            ),
        ),
        ("freshdesk", "tickets.json", lambda text: text[:-20]),
        (
            "helpscout",
            "conversations.json",
            lambda text: text.replace('"status":"closed"', '"status":"weird"'),
        ),
        ("csv", "messages.csv", lambda text: text + "M-9,T-2,c2,robot,0,hi,2024-07-02T10:00:00Z,,\n"),
    ],
)
def test_a_broken_file_imports_nothing(tmp_path, name, file, damage):
    copy = tmp_path / name
    shutil.copytree(SAMPLES / name, copy)
    target = copy / file
    target.write_text(damage(target.read_text()))
    with pytest.raises(ImportFailed) as failure:
        _import(name, copy)
    assert file.split(".")[0] in str(failure.value) or "status" in str(failure.value)
    assert not Conversation.objects.exists() and not Customer.objects.exists() and not Agent.objects.exists()


def test_the_import_command_reports_and_refuses(capsys):
    with subscribed({}):
        call_command("import", str(SAMPLES / "zendesk"), "--from", "zendesk")
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["imported"]["conversations"] == 2 and report["skipped"]
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import", str(SAMPLES / "nowhere"), "--from", "helpscout")
