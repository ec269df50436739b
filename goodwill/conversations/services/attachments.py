"""Files that come with a message, from any door (email, portal, composer, API)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile

from goodwill.conversations.models import Attachment, Message


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"
    content_id: str = ""
    is_inline: bool = False


def store_attachments(message: Message, attachments: Iterable[NewAttachment]) -> None:
    """Save each file and its row; call inside the transaction that writes the message."""
    for item in attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename or "attachment",
            content_type=item.content_type or "application/octet-stream",
            size=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            content_id=item.content_id,
            is_inline=item.is_inline,
        )
        attachment.file.save(attachment.filename, ContentFile(item.content), save=False)
        attachment.save()
