"""Background work for conversations. Thin, idempotent wrappers around services."""

from __future__ import annotations

from goodwill.core.tasks import retrying_task


@retrying_task(max_attempts=8)
def deliver_reply(message_id: int) -> None:
    """Send an agent's reply to the customer by email (idempotent: sent messages are skipped)."""
    from goodwill.channels.email.outbound import send_reply

    send_reply(message_id)
