"""A few small files for a demo-sized data set: photos of damaged items, invoice copies."""

from __future__ import annotations

import hashlib
import struct
import zlib

from django.core.files.base import ContentFile
from django.db import transaction

from goodwill.conversations.models import Attachment, Message


def attach_samples() -> None:
    """Attach a photo to the first customer message of up to 8 "Damaged item" conversations,
    and an invoice to the first 6 agent replies about "Invoice copy"."""
    picked: list[tuple[Message, str, str, bytes]] = []
    seen: set[int] = set()
    damaged = Message.objects.filter(conversation__need__name="Damaged item", direction="in")
    for message in damaged.select_related("conversation").order_by("conversation_id", "id"):
        if message.conversation_id in seen:
            continue
        seen.add(message.conversation_id)
        number = message.conversation.number
        picked.append((message, f"photo-{number}.png", "image/png", sample_png(number)))
        if len(seen) >= 8:
            break
    invoices = Message.objects.filter(conversation__need__name="Invoice copy", direction="out")
    for message in invoices.select_related("conversation").order_by("conversation_id", "id")[:6]:
        number = message.conversation.number
        body = f"Invoice INV-{number:05d}\nGoodwill Demo Shop\nConversation #{number}\nTotal: $49.00\n"
        picked.append((message, f"invoice-{number}.txt", "text/plain", body.encode()))
    with transaction.atomic():
        for message, filename, content_type, content in picked:
            attachment = Attachment(
                message=message,
                filename=filename,
                content_type=content_type,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
            attachment.file.save(filename, ContentFile(content), save=False)
            attachment.save()
            Attachment.objects.filter(pk=attachment.pk).update(created_at=message.created_at)


def sample_png(number: int) -> bytes:
    """A small, valid PNG: a colour gradient that differs per conversation."""
    width, height = 64, 48
    red, green = (number * 37) % 256, (number * 91) % 256
    rows = b"".join(
        b"\x00"
        + bytes(channel for x in range(width) for channel in (red, (green + x * 3) % 256, (y * 5) % 256))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
