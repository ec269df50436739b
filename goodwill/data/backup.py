"""`goodwill backup -o DIR` / `goodwill restore DIR`: a consistent snapshot of the database
plus the data dir, restorable on a fresh machine.

Backup layout:

    DIR/manifest.json        format, version, database engine, time, row counts per table, file count
    DIR/database.sqlite3     SQLite: a copy made with SQLite's online backup API (consistent
                             while the instance keeps running)
    DIR/database.pgdump      PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
    DIR/data/...             the data dir (attachments, raw mail, secret key), without the database

Files are written before the rows that name them commit (raw mail first, content-addressed
attachments), so copying the data dir *after* the database snapshot holds every file the
snapshot refers to; at worst a few files nothing refers to yet come along.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from goodwill.data.progress import Progress

FORMAT = "goodwill-backup"
VERSION = 1


class BackupFailed(Exception):
    pass


def _database_file() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(settings.DATABASES["default"]["NAME"])
    return None if name in ("", ":memory:") or name.startswith("file:") else Path(name).resolve()


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.db_table] = model._base_manager.count()
    return counts


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} is not installed (PostgreSQL backups need the PostgreSQL client tools).")
    return found


def _copy_tree(source: Path, target: Path, skip: set[Path]) -> int:
    files = [
        path
        for path in sorted(source.rglob("*"))
        if path.is_file()
        and path.resolve() not in skip
        and not any(s in path.resolve().parents for s in skip)
        and not path.name.startswith(".incoming-")
    ]
    progress = Progress("Copying files", len(files))
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        progress.advance()
    progress.finish()
    return len(files)


def backup(target: Path, *, data_dir: Path | None = None) -> dict[str, Any]:
    data_dir = (data_dir or Path(settings.DATA_DIR)).resolve()
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupFailed(f"{target} is not empty: back up into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    counts = row_counts()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target / "database.sqlite3")
        try:
            connection.connection.backup(destination, pages=4096)
        finally:
            destination.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        command = [
            _tool("pg_dump"),
            *args,
            "--format=custom",
            "--no-owner",
            "--file",
            str(target / "database.pgdump"),
            str(settings.DATABASES["default"]["NAME"]),
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode:
            raise BackupFailed(f"pg_dump failed: {done.stderr.strip()}")
    else:
        raise BackupFailed(f"Backups of {connection.vendor} databases are not supported.")
    database = _database_file()
    skip = {target}
    if database is not None:
        skip |= {database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")}
    files = _copy_tree(data_dir, target / "data", skip) if data_dir.exists() else 0
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "database": connection.vendor,
        "created_at": timezone.now().isoformat(),
        "counts": counts,
        "files": files,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupFailed(f"{source} is not a Goodwill backup (no readable manifest.json).") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupFailed(f"{source}: unsupported backup format.")
    return manifest


def restore(
    source: Path,
    *,
    data_dir: Path | None = None,
    database_file: Path | None = None,
    database_name: str | None = None,
) -> dict[str, Any]:
    """Restore onto a fresh data dir / empty database. The defaults are this instance's own."""
    source = source.resolve()
    manifest = read_manifest(source)
    data_dir = (data_dir or Path(settings.DATA_DIR)).resolve()
    if manifest["database"] == "sqlite":
        target = database_file or _database_file()
        if target is None:
            raise BackupFailed(
                "This instance does not use a SQLite database file: set GOODWILL_DATABASE_URL."
            )
        if target.exists() and target.stat().st_size > 0 and _has_rows(target):
            raise BackupFailed(f"{target} already holds data: restore onto a fresh data dir.")
        connection.close()
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source / "database.sqlite3", target)
    elif manifest["database"] == "postgresql":
        _pg_restore(source, database_name or str(settings.DATABASES["default"]["NAME"]))
    files = _copy_tree(source / "data", data_dir, set()) if (source / "data").exists() else 0
    return {"database": manifest["database"], "files": files, "counts": manifest["counts"]}


def _has_rows(path: Path) -> bool:
    with sqlite3.connect(path) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='conversations_conversation'"
            )
        ]
        return (
            bool(tables) and db.execute("SELECT COUNT(*) FROM conversations_conversation").fetchone()[0] > 0
        )


def _pg_restore(source: Path, name: str) -> None:
    args, env = _pg_env()
    check = subprocess.run(  # noqa: S603
        [
            _tool("psql"),
            *args,
            "--dbname",
            name,
            "-tAc",
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'conversations_conversation'",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode:
        raise BackupFailed(f"cannot reach database {name}: {check.stderr.strip()}")
    if check.stdout.strip() not in ("", "0"):
        raise BackupFailed(f"database {name} already has Goodwill's tables: restore into an empty database.")
    done = subprocess.run(  # noqa: S603
        [
            _tool("pg_restore"),
            *args,
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            name,
            str(source / "database.pgdump"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BackupFailed(f"pg_restore failed: {done.stderr.strip()}")
