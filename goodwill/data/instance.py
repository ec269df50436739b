"""`goodwill export` / `goodwill import`: the whole instance as JSON lines, database-neutral,
so an instance moves between SQLite and PostgreSQL.

Format (one JSON object a line, UTF-8):

    {"format": "goodwill-export", "version": 1, "created_at": "...", "database": "sqlite"}
    {"model": "customers.customer", "pk": 1, "fields": {...}}     one line per row, Django's
                                                                   serialisation (foreign keys
                                                                   as ids, many-to-many as lists,
                                                                   content types by natural key)
    {"file": "attachments/ab/…/invoice.pdf", "base64": "..."}      one line per stored file
    {"end": true, "rows": N, "files": M}                           last line: the file is whole

Left out: what a running instance rebuilds by itself (sessions, content types and
permissions, task queue rows, worker heartbeats and leases, periodic job clocks).
"""

from __future__ import annotations

import base64
import datetime
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.customers.models import Customer
from goodwill.data.progress import Progress

FORMAT = "goodwill-export"
VERSION = 1
EXCLUDED_APPS = {"contenttypes", "auth", "sessions", "admin", "django_tasks_db", "django_rq"}
EXCLUDED_MODELS = {"core.workerbeat", "core.tasklease", "core.periodicjob"}
CHUNK = 2000


class InstanceImportFailed(Exception):
    pass


def exported_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in EXCLUDED_APPS or meta.label_lower in EXCLUDED_MODELS:
            continue
        if meta.proxy or not meta.managed:
            continue
        found.append(model)
    return found


def _files_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _stored_files() -> Iterator[str]:
    root = _files_root()
    if not root.exists():
        return
    for folder, _dirs, names in os.walk(root):
        for name in sorted(names):
            if name.startswith(".incoming-"):
                continue
            yield (Path(folder) / name).relative_to(root).as_posix()


def export_instance(out: IO[str], *, files: bool = True) -> dict[str, int]:
    chosen = exported_models()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
    }
    out.write(json.dumps(header) + "\n")
    total = sum(model._base_manager.count() for model in chosen)
    progress = Progress("Exporting rows", total)
    rows = 0
    with transaction.atomic():  # one consistent read on both databases
        for model in chosen:
            batch: list[models.Model] = []
            for instance in model._base_manager.order_by("pk").iterator(chunk_size=CHUNK):
                batch.append(instance)
                if len(batch) >= CHUNK:
                    rows += _write_rows(out, batch)
                    progress.advance(len(batch))
                    batch = []
            if batch:
                rows += _write_rows(out, batch)
                progress.advance(len(batch))
    progress.finish()
    count = 0
    if files:
        for name in _stored_files():
            data = (_files_root() / name).read_bytes()
            out.write(json.dumps({"file": name, "base64": base64.b64encode(data).decode()}) + "\n")
            count += 1
    out.write(json.dumps({"end": True, "rows": rows, "files": count}) + "\n")
    return {"rows": rows, "files": count}


class _Encoder(DjangoJSONEncoder):
    """Like Django's, but keeps microseconds (Django's encoder cuts times to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _content_type_fields(model: type[models.Model]) -> list[str]:
    return [
        item.name
        for item in model._meta.concrete_fields
        if isinstance(item, models.ForeignKey) and item.remote_field.model is ContentType
    ]


def _write_rows(out: IO[str], batch: list[models.Model]) -> int:
    """Rows with their ids; content types (whose ids differ between databases) by app and model name."""
    names = _content_type_fields(type(batch[0]))
    for item in serializers.serialize("python", batch):
        for name in names:
            if item["fields"].get(name) is not None:
                item["fields"][name] = list(
                    ContentType.objects.get_for_id(item["fields"][name]).natural_key()
                )
        out.write(json.dumps(item, cls=_Encoder, ensure_ascii=False) + "\n")
    return len(batch)


@contextmanager
def _given_timestamps() -> Iterator[None]:
    """Rows keep the times they were exported with (auto_now/auto_now_add would overwrite them)."""
    saved = []
    for model in apps.get_models():
        for item in model._meta.concrete_fields:
            if getattr(item, "auto_now", False) or getattr(item, "auto_now_add", False):
                saved.append((item, item.auto_now, item.auto_now_add))  # type: ignore[attr-defined]
                item.auto_now = item.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for item, auto_now, auto_now_add in saved:
            item.auto_now, item.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def _check_header(line: str) -> None:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InstanceImportFailed("Not a file written by `goodwill export` (first line is not its header).")
    if header.get("version") != VERSION:
        raise InstanceImportFailed(
            f"Export format version {header.get('version')} is not supported (expected {VERSION})."
        )


def _check_empty() -> None:
    if Agent.objects.exists() or Customer.objects.exists() or Conversation.objects.exists():
        raise InstanceImportFailed(
            "This instance already has agents, customers or conversations: import into a freshly migrated, empty one."
        )


def import_instance(path: Path) -> dict[str, int]:
    """Load an export into this (empty) instance in one transaction: all or nothing."""
    if not path.is_file():
        raise InstanceImportFailed(f"{path}: no such file.")
    _check_empty()
    counts: dict[str, int] = {}
    written_files: list[str] = []
    chosen = exported_models()
    progress = Progress("Importing rows")
    try:
        with transaction.atomic(), _given_timestamps(), path.open(encoding="utf-8") as handle:
            _check_header(handle.readline())
            for model in chosen:  # rows migrations put there (seeded taxonomies, counters) make way
                model._base_manager.all().delete()
            ended = _load(handle, counts, written_files, progress)
            if not ended:
                raise InstanceImportFailed("The file ends early (no end line): it is incomplete.")
            _reset_sequences(chosen)
    except InstanceImportFailed:
        _remove(written_files)
        raise
    except (ValueError, KeyError, DeserializationError) as error:
        _remove(written_files)
        raise InstanceImportFailed(f"Nothing was imported: the file is damaged ({error}).") from None
    progress.finish()
    counts["files"] = len(written_files)
    return counts


def _load(handle: IO[str], counts: dict[str, int], written: list[str], progress: Progress) -> bool:
    pending: list[dict[str, Any]] = []
    for line in handle:
        item = json.loads(line)
        if "model" in item:
            if pending and pending[0]["model"] != item["model"]:
                _insert(pending, counts)
                progress.advance(len(pending))
                pending = []
            pending.append(item)
            if len(pending) >= CHUNK:
                _insert(pending, counts)
                progress.advance(len(pending))
                pending = []
            continue
        if pending:
            _insert(pending, counts)
            progress.advance(len(pending))
            pending = []
        if "file" in item:
            name = item["file"]
            if not default_storage.exists(name):
                saved = default_storage.save(name, ContentFile(base64.b64decode(item["base64"])))
                written.append(saved)
        elif item.get("end"):
            return True
    return False


def _insert(items: list[dict[str, Any]], counts: dict[str, int]) -> None:
    names = _content_type_fields(apps.get_model(items[0]["model"]))
    for item in items:
        for name in names:
            if isinstance(item["fields"].get(name), list):
                item["fields"][name] = ContentType.objects.get_by_natural_key(*item["fields"][name]).pk
    objects = list(serializers.deserialize("python", items, handle_forward_references=False))
    model = type(objects[0].object)
    model._base_manager.bulk_create([item.object for item in objects], batch_size=500)
    for entry in objects:
        for name, values in (entry.m2m_data or {}).items():
            field = model._meta.get_field(name)
            through = field.remote_field.through  # type: ignore[union-attr]
            source = field.m2m_field_name()  # type: ignore[union-attr]
            target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
            if through._meta.auto_created:
                through.objects.bulk_create(
                    [through(**{f"{source}_id": entry.object.pk, f"{target}_id": value}) for value in values]
                )
    counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + len(objects)


def _reset_sequences(chosen: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _remove(names: list[str]) -> None:
    for name in names:
        if default_storage.exists(name):
            default_storage.delete(name)
