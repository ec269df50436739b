"""Email as the transport for agents' replies (registered in `apps.py`, see conversations.delivery)."""

from __future__ import annotations

from goodwill.channels.email.outbound import send_reply
from goodwill.conversations.models import Conversation

# Conversations from these doors are answered by email when the customer has an address.
ANSWERED_BY_EMAIL = (Conversation.Channel.EMAIL, Conversation.Channel.WEBFORM, Conversation.Channel.PORTAL)


class EmailTransport:
    name = "email"

    def accepts(self, conversation: Conversation) -> bool:
        return (
            conversation.channel in ANSWERED_BY_EMAIL
            and conversation.customer.identities.filter(kind="email").exists()
        )

    def deliver(self, message_id: int) -> None:
        send_reply(message_id)
