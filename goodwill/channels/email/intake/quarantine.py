"""Quarantine: what cannot be taken in is kept with its reason, never dropped."""

from __future__ import annotations

import logging

from django.db import transaction

from goodwill.channels.email.intake.rows import QUARANTINED_EVENT, _set_state
from goodwill.channels.email.models import (
    Mailbox,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
)
from goodwill.core.services import record_event

logger = logging.getLogger("goodwill.email")

State = RawEmail.State


def _quarantine(
    raw: RawEmail,
    reason: str,
    detail: str,
    *,
    mailbox: Mailbox | None,
    parsed: ParsedEmail | None = None,
    sender: str = "",
    subject: str = "",
) -> str:
    with transaction.atomic():
        _set_state(raw, State.QUARANTINED)
        entry, _ = Quarantine.objects.update_or_create(
            raw=raw,
            defaults={
                "mailbox": mailbox,
                "reason": reason,
                "detail": detail[:5000],
                "sender": (parsed.from_address if parsed else sender)[:500],
                "subject": (parsed.subject if parsed else subject)[:500],
            },
        )
        record_event(QUARANTINED_EVENT, subject=entry, after={"reason": reason, "detail": detail[:500]})
    logger.info("quarantined raw email %s: %s %s", raw.pk, reason, detail[:200])
    return State.QUARANTINED


def _headers_for_quarantine(data: bytes) -> tuple[str, str, list[str]]:
    """Sender, subject and recipients for the quarantine list, as far as they can be read."""
    import email as email_lib
    from email import policy

    from goodwill.channels.email.parsing import addresses, header_text, raw_header_values

    try:
        msg = email_lib.message_from_bytes(data[:65536], policy=policy.compat32)
        recipients = [
            address
            for _name, address in addresses(
                raw_header_values(msg, "Delivered-To")
                + raw_header_values(msg, "To")
                + raw_header_values(msg, "Cc")
            )
        ]
        return header_text(msg, "From")[:500], header_text(msg, "Subject")[:500], recipients
    except Exception:
        return "", "", []
