"""Background work for conversations. Thin, idempotent wrappers around services."""

from __future__ import annotations

from goodwill.conversations.delivery import REPLY_ATTEMPTS, transport, transport_for
from goodwill.conversations.models import Message
from goodwill.core.tasks import retrying_task


@retrying_task(max_attempts=REPLY_ATTEMPTS)
def deliver_reply(message_id: int, transport_name: str = "") -> None:
    """Send an agent's reply through its transport (idempotent: sent messages are skipped).

    `transport_name` is the transport `add_reply` chose; without it the choice is made again.
    """
    if transport_name:
        transport(transport_name).deliver(message_id)
        return
    message = Message.objects.select_related("conversation__customer").filter(pk=message_id).first()
    chosen = transport_for(message.conversation) if message is not None else None
    if chosen is not None:
        chosen.deliver(message_id)
