"""A transport only the tests register: it delivers replies on phone conversations into a list."""

from __future__ import annotations

from goodwill.conversations.models import Conversation

DELIVERED: list[int] = []


class PhoneTransport:
    name = "phone-test"

    def accepts(self, conversation: Conversation) -> bool:
        return conversation.channel == Conversation.Channel.PHONE

    def deliver(self, message_id: int) -> None:
        DELIVERED.append(message_id)
