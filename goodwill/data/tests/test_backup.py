"""Backup and restore round trip: counts, a sample of rows and the files come back the same."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from goodwill.conversations.models import Conversation, Message
from goodwill.data.backup import BackupFailed, backup, restore
from goodwill.data.tests.helpers import customer_with_everything

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = "SELECT c.number, c.subject, m.text FROM conversations_message m JOIN conversations_conversation c ON c.id = m.conversation_id ORDER BY m.id"


@pytest.fixture
def data_dir(tmp_path, settings):  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = settings.DATA_DIR / "files"
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.DATA_DIR / "secret_key").write_text("not-so-secret")
    return settings.DATA_DIR


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _live_sample() -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(SAMPLE)
        return [tuple(row) for row in cursor.fetchall()]


def test_round_trip(agent, data_dir, tmp_path):
    customer_with_everything(agent)
    manifest = backup(tmp_path / "backup")
    assert manifest["counts"]["conversations_message"] == Message.objects.count() == 4
    fresh = tmp_path / "fresh"
    if connection.vendor == "sqlite":
        restore(tmp_path / "backup", data_dir=fresh, database_file=fresh / "goodwill.sqlite3")
        with sqlite3.connect(fresh / "goodwill.sqlite3") as db:
            counts = {
                table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                for table in manifest["counts"]
            }  # noqa: S608
            sample = [tuple(row) for row in db.execute(SAMPLE)]
    else:
        name = f"{connection.settings_dict['NAME']}_restore"
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        try:
            restore(tmp_path / "backup", data_dir=fresh, database_name=name)
            import psycopg

            with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as db:
                counts = {
                    table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                    for table in manifest["counts"]
                }  # noqa: S608
                sample = [tuple(row) for row in db.execute(SAMPLE).fetchall()]
        finally:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    assert counts == manifest["counts"]
    assert sample == _live_sample() and len(sample) == 4
    restored = {name: data for name, data in _files(fresh).items() if name != "goodwill.sqlite3"}
    assert restored == _files(data_dir)
    assert any(name.startswith("files/raw/") for name in restored)
    assert Conversation.objects.count() == 1


def test_restore_refuses_a_data_dir_in_use(agent, data_dir, tmp_path):
    customer_with_everything(agent)
    backup(tmp_path / "backup")
    fresh = tmp_path / "fresh"
    if connection.vendor != "sqlite":
        with pytest.raises(BackupFailed, match="already has"):
            restore(tmp_path / "backup", data_dir=fresh)
        return
    restore(tmp_path / "backup", data_dir=fresh, database_file=fresh / "goodwill.sqlite3")
    with pytest.raises(BackupFailed, match="already holds data"):
        restore(tmp_path / "backup", data_dir=fresh, database_file=fresh / "goodwill.sqlite3")
    with pytest.raises(BackupFailed, match="not empty"):
        backup(tmp_path / "backup")
