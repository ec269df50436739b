"""A customer's export: the team's ZIP holds everything, the portal's only what the customer may see."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from goodwill.data.export import CUSTOMER, TEAM, write_export
from goodwill.data.tests.helpers import ADDRESS, customer_with_everything

pytestmark = pytest.mark.django_db


def _zip(customer, audience) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    write_export(customer, out, audience=audience)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_team_export_holds_profile_messages_files_and_records(agent):
    conversation = customer_with_everything(agent)
    archive = _zip(conversation.customer, TEAM)
    names = archive.namelist()
    profile = json.loads(archive.read("customer.json"))
    assert {"kind": "email", "value": ADDRESS, "is_primary": True} in profile["identities"]
    body = json.loads(archive.read(f"conversations/{conversation.number}.json"))
    kinds = [message["kind"] for message in body["messages"]]
    assert kinds == ["reply", "reply", "reply", "note"]
    first = body["messages"][0]
    assert archive.read(first["raw"]).startswith(b"From: Dana Erasable")
    assert archive.read(first["attachments"][0]["file"]).startswith(f"Receipt for {ADDRESS}".encode())
    assert "records/core.event.json" in names
    events = json.loads(archive.read("records/core.event.json"))
    assert {event["fields"]["kind"] for event in events} >= {"conversation.opened", "message.note"}


def test_portal_export_leaves_out_notes_and_internal_records(agent):
    conversation = customer_with_everything(agent)
    archive = _zip(conversation.customer, CUSTOMER)
    assert not [name for name in archive.namelist() if name.startswith("records/")]
    body = json.loads(archive.read(f"conversations/{conversation.number}.json"))
    assert [message["kind"] for message in body["messages"]] == ["reply", "reply", "reply"]
    assert "upset" not in archive.read(f"conversations/{conversation.number}.json").decode()
    assert "notes" not in json.loads(archive.read("customer.json"))


def test_export_customer_command_writes_the_zip(agent, tmp_path, capsys):
    customer_with_everything(agent)
    target = tmp_path / "dana.zip"
    call_command("export_customer", ADDRESS, "-o", str(target))
    assert json.loads(capsys.readouterr().out)["conversations"] == 1
    assert "customer.json" in zipfile.ZipFile(target).namelist()
