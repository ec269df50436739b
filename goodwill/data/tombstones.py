"""Erased mail that arrives again (an IMAP folder renumbered, a re-run of `ingest-email`)
is a duplicate of its tombstone, so no conversation comes back. Its raw bytes were stored
before that was known, though; this sweep deletes them, so an erased person's mail does not
stay in the data dir. Runs every few minutes from the worker (`data.erased_duplicates`)."""

from __future__ import annotations

from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction

from goodwill.channels.email.intake import read_raw
from goodwill.channels.email.models import MessageKey, RawEmail
from goodwill.channels.email.parsing import Unparseable, identity_key, parse_email
from goodwill.core.models import Counter
from goodwill.data.outside import is_referenced

MARK = "data.duplicates_checked"
BATCH = 500


def _key_of(data: bytes) -> str:
    try:
        return identity_key(parse_email(data, max_bytes=len(data) + 1), data)
    except Unparseable:
        return identity_key(None, data)


def forget_erased_duplicates(now: datetime | None = None) -> str | None:
    """Delete duplicate raw mail whose original was erased (its key has neither message nor raw)."""
    checked, _ = Counter.objects.get_or_create(name=MARK, defaults={"value": 0})
    rows = list(
        RawEmail.objects.filter(pk__gt=checked.value, state=RawEmail.State.DUPLICATE).order_by("pk")[:BATCH]
    )
    if not rows:
        return None
    forgotten = 0
    for raw in rows:
        try:
            key = _key_of(read_raw(raw))
        except OSError:
            continue
        if MessageKey.objects.filter(key=key, message__isnull=True, raw__isnull=True).exists():
            path = raw.path
            with transaction.atomic():
                RawEmail.objects.filter(pk=raw.pk).delete()
            if not is_referenced(path) and default_storage.exists(path):
                default_storage.delete(path)
            forgotten += 1
    Counter.objects.filter(name=MARK).update(value=rows[-1].pk)
    return f"{forgotten} duplicate(s) of erased mail deleted" if forgotten else None
