"""Background work for the email channel: thin, idempotent wrappers around the intake."""

from __future__ import annotations

from goodwill.channels.email.intake import process_pending, process_raw
from goodwill.channels.email.models import RawEmail
from goodwill.channels.email.outbound import acknowledgement_task as send_acknowledgement
from goodwill.core.tasks import retrying_task

__all__ = ["process_pending_email", "process_raw_email", "send_acknowledgement"]


@retrying_task(max_attempts=6)
def process_raw_email(raw_id: int) -> str:
    """Parse and thread one stored raw email (a processed one is left alone)."""
    raw = RawEmail.objects.filter(pk=raw_id).first()
    if raw is None:
        return "missing"
    return process_raw(raw).state


@retrying_task(max_attempts=6)
def process_pending_email() -> int:
    """Pick up raw emails still waiting (after a crash of smtpd or fetchmail)."""
    total = 0
    while True:
        done = process_pending(limit=200)
        total += done
        if done < 200:
            return total
