"""Background work for the email channel: thin, idempotent wrappers around services."""

from __future__ import annotations

from goodwill.core.tasks import retrying_task


@retrying_task(max_attempts=6)
def process_raw_email(raw_id: int) -> str:
    """Parse and thread one stored raw email (a processed one is left alone)."""
    from goodwill.channels.email.intake import process_raw
    from goodwill.channels.email.models import RawEmail

    raw = RawEmail.objects.filter(pk=raw_id).first()
    if raw is None:
        return "missing"
    return process_raw(raw).state


@retrying_task(max_attempts=6)
def process_pending_email() -> int:
    """Pick up raw emails still waiting (after a crash of smtpd or fetchmail)."""
    from goodwill.channels.email.intake import process_pending

    total = 0
    while True:
        done = process_pending(limit=200)
        total += done
        if done < 200:
            return total


@retrying_task(max_attempts=8)
def send_acknowledgement(acknowledgement_id: int) -> None:
    """Send the automatic acknowledgement of a new conversation (idempotent: sent ones are skipped)."""
    from goodwill.channels.email.outbound import send_acknowledgement as send

    send(acknowledgement_id)
