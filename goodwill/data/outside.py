"""Personal data outside the rows the model graph finds: raw mail, files, the search index,
cache entries and task payloads. Other apps may register more with `register_outside`."""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from goodwill.channels.email.models import EmailDetails, Quarantine, RawEmail
from goodwill.conversations.models import Message
from goodwill.customers.models import Customer
from goodwill.data.graph import KEEP, Rows, file_fields, text_fields
from goodwill.data.scrub import Scrubber

logger = logging.getLogger("goodwill.data")


@dataclass
class Erasing:
    """What one erasure knows and gathers as it goes."""

    customer: Customer
    rows: Rows
    scrubber: Scrubber
    files: set[str]
    counts: dict[str, int]


Hook = Callable[[Erasing], None]
_before: list[Hook] = []
_after_commit: list[Hook] = []
# Cache keys that may hold a conversation's data: functions of a conversation id.
_cache_keys: list[Callable[[int], list[str]]] = []


def register_outside(*, before: Hook | None = None, after_commit: Hook | None = None) -> None:
    """`before` runs inside the erasure's transaction before rows go; `after_commit` once it committed."""
    if before is not None and before not in _before:
        _before.append(before)
    if after_commit is not None and after_commit not in _after_commit:
        _after_commit.append(after_commit)


def register_cache_keys(keys: Callable[[int], list[str]]) -> None:
    if keys not in _cache_keys:
        _cache_keys.append(keys)


def run_before(erasing: Erasing) -> None:
    for hook in _before:
        hook(erasing)


def run_after_commit(erasing: Erasing) -> None:
    for hook in _after_commit:
        try:
            hook(erasing)
        except Exception:  # a cleanup step failing must not hide that the erasure committed
            logger.exception("erasure clean-up %s failed", getattr(hook, "__name__", hook))


# --- raw mail ---------------------------------------------------------------------------


def raw_mail_of(erasing: Erasing) -> list[int]:
    message_ids = sorted(erasing.rows.of(Message))
    raw_ids: set[int] = set()
    for start in range(0, len(message_ids), 500):
        chunk = message_ids[start : start + 500]
        raw_ids |= set(
            EmailDetails.objects.filter(message_id__in=chunk, raw__isnull=False).values_list(
                "raw_id", flat=True
            )
        )
        paths = set(
            Message.objects.filter(pk__in=chunk).exclude(raw_path="").values_list("raw_path", flat=True)
        )
        raw_ids |= set(RawEmail.objects.filter(path__in=paths).values_list("pk", flat=True))
    for address in erasing.scrubber.addresses:
        raw_ids |= set(RawEmail.objects.filter(envelope_from__iexact=address).values_list("pk", flat=True))
        raw_ids |= set(Quarantine.objects.filter(sender__icontains=address).values_list("raw_id", flat=True))
    return sorted(raw_ids)


def erase_raw_mail(erasing: Erasing) -> None:
    """Raw sources go with the person: rows (and their quarantine entries) now, files after commit."""
    raw_ids = raw_mail_of(erasing)
    for start in range(0, len(raw_ids), 500):
        chunk = raw_ids[start : start + 500]
        erasing.files |= set(RawEmail.objects.filter(pk__in=chunk).values_list("path", flat=True))
        RawEmail.objects.filter(pk__in=chunk).delete()
    erasing.counts["raw_emails"] = len(raw_ids)


# --- files --------------------------------------------------------------------------------

# Columns that hold a storage name without being a FileField.
NAME_COLUMNS = [(Message._meta.label_lower, "raw_path"), (RawEmail._meta.label_lower, "path")]


def file_names_of(rows: Rows) -> set[str]:
    names: set[str] = set()
    for model in rows.models():
        columns = [item.attname for item in file_fields(model)]
        columns += [column for label, column in NAME_COLUMNS if label == model._meta.label_lower]
        if not columns:
            continue
        for queryset in rows.queryset(model):
            for values in queryset.values_list(*columns):
                names |= {value for value in values if value}
    return names


def is_referenced(name: str) -> bool:
    for model in apps.get_models():
        columns = [item.attname for item in file_fields(model)]
        columns += [column for label, column in NAME_COLUMNS if label == model._meta.label_lower]
        for column in columns:
            if model._base_manager.filter(**{column: name}).exists():
                return True
    return False


def delete_files(erasing: Erasing) -> None:
    deleted = 0
    for name in sorted(erasing.files):
        if not is_referenced(name) and default_storage.exists(name):
            default_storage.delete(name)
            deleted += 1
    erasing.counts["files_deleted"] = deleted


# --- search index, cache, task payloads ------------------------------------------------------


def compact_search_index(erasing: Erasing) -> None:
    """SQLite FTS5 keeps deleted terms in old segments until they merge: merge them now.
    (PostgreSQL's tsvector column changes with its row.)"""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'search\\_%\\_fts' ESCAPE '\\'"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'INSERT INTO "{table}"("{table}") VALUES (\'optimize\')')  # noqa: S608 - names from sqlite_master


def clear_cache(erasing: Erasing) -> None:
    conversation_ids = erasing.rows.of(apps.get_model("conversations", "Conversation"))
    keys = [
        key
        for conversation_id in conversation_ids
        for provider in _cache_keys
        for key in provider(conversation_id)
    ]
    if keys:
        cache.delete_many(keys)


def purge_rq_jobs(erasing: Erasing) -> None:
    """Finished or queued RQ jobs whose payload names the person are deleted (Redis only)."""
    url = getattr(settings, "REDIS_URL", None)
    if not url or not erasing.scrubber.needles:
        return
    import redis

    client = redis.Redis.from_url(url)
    needles = [needle.lower().encode() for needle in erasing.scrubber.needles]
    removed = 0
    for key in client.scan_iter(match=b"rq:job:*", count=500):
        data = bytes(client.hget(key, "data") or b"")  # type: ignore[arg-type]
        with contextlib.suppress(zlib.error):
            data = zlib.decompress(data)
        if any(needle in data.lower() for needle in needles):
            client.delete(key)
            removed += 1
    erasing.counts["task_payloads_removed"] = erasing.counts.get("task_payloads_removed", 0) + removed


def sweep_all_tables(erasing: Erasing) -> None:
    """Look for the person's addresses and phone numbers in every text column of every table
    (notices, task payloads, rows no foreign key leads to) and blank them out."""
    needles = erasing.scrubber.needles
    if not needles:
        return
    total = 0
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in KEEP or model._meta.proxy or not model._meta.managed:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        queryset = model._base_manager.all()
        condition = Q()
        for item in fields:
            if isinstance(item, models.JSONField):
                alias = f"_text_{item.attname}"
                queryset = queryset.annotate(**{alias: Cast(item.attname, TextField())})
                column = alias
            else:
                column = item.attname
            for needle in needles:
                condition |= Q(**{f"{column}__icontains": needle})
        changed = []
        for instance in queryset.filter(condition):
            names = erasing.scrubber.row(instance, fields)
            if names:
                changed.append((instance, names))
        for instance, names in changed:
            model._base_manager.filter(pk=instance.pk).update(
                **{name: getattr(instance, name) for name in names}
            )
        total += len(changed)
    erasing.counts["rows_swept"] = total


register_outside(before=erase_raw_mail, after_commit=delete_files)
register_outside(after_commit=compact_search_index)
register_outside(after_commit=clear_cache)
register_outside(after_commit=purge_rq_jobs)
