"""Raw storage: the bytes as they arrived, content-addressed, and their RawEmail row."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable
from contextlib import suppress

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from goodwill.channels.email.models import (
    Mailbox,
    RawEmail,
)
from goodwill.channels.email.parsing import DEFAULT_MAX_ATTACHMENTS, DEFAULT_MAX_BYTES, DEFAULT_MAX_PARTS


def max_message_bytes() -> int:
    return int(getattr(settings, "GOODWILL_EMAIL_MAX_BYTES", DEFAULT_MAX_BYTES))


def part_limits() -> dict[str, int]:
    """`parse_email`'s caps on MIME parts and attachments, from the settings."""
    return {
        "max_parts": int(getattr(settings, "GOODWILL_EMAIL_MAX_PARTS", DEFAULT_MAX_PARTS)),
        "max_attachments": int(getattr(settings, "GOODWILL_EMAIL_MAX_ATTACHMENTS", DEFAULT_MAX_ATTACHMENTS)),
    }


# --- raw storage ------------------------------------------------------------------------


def printable(value: str) -> str:
    """Envelope text from the network, safe for any database column."""
    value = value.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in value if ch.isprintable())


def raw_name(sha256: str) -> str:
    return f"raw/{sha256[:2]}/{sha256}.eml"


def _write_raw_file(sha256: str, data: bytes) -> str:
    name = raw_name(sha256)
    if isinstance(default_storage, FileSystemStorage):
        return _write_raw_file_locally(name, data)
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def _write_raw_file_locally(name: str, data: bytes) -> str:
    """Content-addressed, so a file already there is ours; a new one appears whole (rename) or not at all."""
    path = default_storage.path(name)
    if os.path.exists(path):
        return name
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    temporary = os.path.join(folder, f".incoming-{uuid.uuid4().hex}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        mode = getattr(default_storage, "file_permissions_mode", None)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    return name


def read_raw(raw: RawEmail) -> bytes:
    with default_storage.open(raw.path, "rb") as handle:
        return handle.read()


def store_raw(
    data: bytes,
    *,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_from: str = "",
    envelope_to: Iterable[str] = (),
) -> tuple[RawEmail, bool]:
    """Keep the bytes (content-addressed) and their row; (row, False) when we had them already.

    The caller commits before acknowledging the message to whoever sent it.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    existing = RawEmail.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    path = _write_raw_file(sha256, data)
    try:
        with transaction.atomic():
            raw = RawEmail.objects.create(
                sha256=sha256,
                path=path,
                size=len(data),
                source=source,
                mailbox=mailbox,
                envelope_from=printable(envelope_from)[:500],
                envelope_to=[printable(address)[:500] for address in envelope_to][:100],
                received_at=timezone.now(),
            )
    except IntegrityError:
        return RawEmail.objects.get(sha256=sha256), False
    return raw, True
