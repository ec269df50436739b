"""`goodwill export` / `goodwill import`: the whole instance round-trips, and moves from SQLite to PostgreSQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.data.instance import InstanceImportFailed, export_instance, exported_models, import_instance
from goodwill.data.tests.helpers import customer_with_everything

SAMPLES = Path(__file__).parent / "samples"


def _counts() -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in exported_models()}


@pytest.mark.django_db(transaction=True)
def test_round_trip_on_this_database(agent, tmp_path, settings):
    conversation = customer_with_everything(agent)
    before = _counts()
    texts = list(Message.objects.order_by("id").values_list("id", "text", "created_at"))
    target = tmp_path / "instance.jsonl"
    with target.open("w") as out:
        export_instance(out)
    call_command("flush", interactive=False, verbosity=0)
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    import_instance(target)
    assert _counts() == before
    assert list(Message.objects.order_by("id").values_list("id", "text", "created_at")) == texts
    assert Conversation.objects.get().tags.count() == conversation.tags.count()
    assert Attachment.objects.first().file.read()
    # New rows continue after the imported ids.
    assert (
        Conversation.objects.create(
            number=999,
            subject="x",
            channel="email",
            customer=conversation.customer,
            last_message_at=conversation.last_message_at,
        ).pk
        > conversation.pk
    )


@pytest.mark.django_db(transaction=True)
def test_a_damaged_or_foreign_file_changes_nothing(agent, tmp_path):
    customer_with_everything(agent)
    target = tmp_path / "instance.jsonl"
    with target.open("w") as out:
        export_instance(out)
    call_command("flush", interactive=False, verbosity=0)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(target.read_text().splitlines(keepends=True)[:-3]))
    with pytest.raises(InstanceImportFailed, match="ends early"):
        import_instance(cut)
    assert not Message.objects.exists()
    other = tmp_path / "other.jsonl"
    other.write_text('{"hello": 1}\n')
    with pytest.raises(InstanceImportFailed, match="header"):
        import_instance(other)


def _goodwill(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "goodwill", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(
    not os.environ.get("GOODWILL_DATABASE_URL", "").startswith("postgresql"),
    reason="moves an instance from SQLite into the PostgreSQL server the PostgreSQL run uses",
)
def test_move_from_sqlite_to_postgresql(tmp_path):
    import psycopg

    base = {**os.environ, "GOODWILL_TASKS_IMMEDIATE": "0"}
    source = {**base, "GOODWILL_DATA_DIR": str(tmp_path / "from"), "GOODWILL_DATABASE_URL": ""}
    source.pop("GOODWILL_DATABASE_URL")
    _goodwill(source, "migrate", "--verbosity", "0")
    _goodwill(source, "import", str(SAMPLES / "zendesk"), "--from", "zendesk")
    _goodwill(source, "export", "-o", str(tmp_path / "move.jsonl"))
    name = "goodwill_data_move"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        target = {**base, "GOODWILL_DATA_DIR": str(tmp_path / "to"), "GOODWILL_DATABASE_URL": url}
        _goodwill(target, "migrate", "--verbosity", "0")
        report = json.loads(
            _goodwill(target, "import", str(tmp_path / "move.jsonl")).strip().splitlines()[-1]
        )
        assert report["imported"]["conversations.conversation"] == 2
        query = "SELECT number, subject, status FROM conversations_conversation ORDER BY number"
        messages = "SELECT id, text, kind, created_at FROM conversations_message ORDER BY id"
        with sqlite3.connect(tmp_path / "from" / "goodwill.sqlite3") as db:
            expected = [tuple(row) for row in db.execute(query)]
            expected_messages = [tuple(row[:3]) for row in db.execute(messages)]
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'conversations_%'"
                )
            ]
            expected_counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        with psycopg.connect(url) as db:
            assert [tuple(row) for row in db.execute(query).fetchall()] == expected
            assert [tuple(row[:3]) for row in db.execute(messages).fetchall()] == expected_messages
            got = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in expected_counts}  # noqa: S608
        assert got == expected_counts
        files = sorted(
            p.relative_to(tmp_path / "to").as_posix()
            for p in (tmp_path / "to" / "files").rglob("*")
            if p.is_file()
        )
        assert files == sorted(
            p.relative_to(tmp_path / "from").as_posix()
            for p in (tmp_path / "from" / "files").rglob("*")
            if p.is_file()
        )
    finally:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    assert connection.vendor == "postgresql"
