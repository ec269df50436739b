"""Threading marks we put on outgoing mail: signed reply tokens, Message-IDs, subject tags.

How an inbound email finds its conversation is `goodwill.channels.email.intake.threading`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

from goodwill.conversations.models import Conversation

TOKEN_RE = re.compile(r"gw-(\d{1,18})-([0-9a-f]{10})")
SUBJECT_TAG_RE = re.compile(r"\[#(\d{1,18})\]")


def _signature(number: int) -> str:
    key = ("goodwill.email.reply-token:" + settings.SECRET_KEY).encode()
    return hmac.new(key, str(number).encode(), hashlib.sha256).hexdigest()[:10]


def reply_token(number: int) -> str:
    """A token that names a conversation and cannot be guessed for another one."""
    return f"gw-{number}-{_signature(number)}"


def number_from_token(text: str) -> int | None:
    for match in TOKEN_RE.finditer(text):
        number = int(match.group(1))
        if hmac.compare_digest(match.group(2), _signature(number)):
            return number
    return None


def outgoing_message_id(number: int) -> str:
    """Our Message-ID for a message in conversation `number` (without angle brackets)."""
    domain = str(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2] or "goodwill.localhost"
    return f"{secrets.token_hex(8)}.{reply_token(number)}@{domain}"


def reply_address(mailbox_address: str, number: int) -> str:
    """support@example.com → support+gw-12-abcdef0123@example.com"""
    local, _, domain = mailbox_address.partition("@")
    local = local.split("+", 1)[0]
    return f"{local}+{reply_token(number)}@{domain}"


def live_conversation(conversation: Conversation | None) -> Conversation | None:
    hops = 0
    while conversation is not None and conversation.merged_into_id and hops < 10:
        conversation = conversation.merged_into
        hops += 1
    return conversation
