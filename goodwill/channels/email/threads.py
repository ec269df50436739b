"""Which conversation an inbound email belongs to.

Order, most trusted first: In-Reply-To/References naming a Message-ID we know; our
signed reply token (in those ids or the recipient address); a `[#1234]` subject tag,
only when the sender already takes part in #1234. Subject text alone never decides.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db.models import Q

from goodwill.channels.email.models import EmailDetails, Mailbox
from goodwill.channels.email.parsing import ParsedEmail
from goodwill.conversations.models import Conversation, Message
from goodwill.customers.models import Identity

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


def _by_header_ids(ids: list[str]) -> Conversation | None:
    if not ids:
        return None
    rows = EmailDetails.objects.filter(message_id_header__in=ids).select_related(
        "message__conversation__customer"
    )
    found = {row.message_id_header: row.message.conversation for row in rows}
    for item in ids:
        if item in found:
            return live_conversation(found[item])
    return None


def _by_token(parsed: ParsedEmail) -> Conversation | None:
    haystack = " ".join([*parsed.thread_ids, *parsed.to, *parsed.cc, *parsed.delivered_to])
    if "gw-" not in haystack:
        return None
    number = number_from_token(haystack)
    if number is None:
        return None
    return live_conversation(Conversation.objects.filter(number=number).first())


def is_participant(conversation: Conversation, address: str) -> bool:
    """The sender is the conversation's customer or wrote in it before."""
    authors = Message.objects.filter(conversation=conversation, author_customer__isnull=False).values(
        "author_customer"
    )
    return Identity.objects.filter(
        Q(customer_id=conversation.customer_id) | Q(customer__in=authors),
        kind=Identity.Kind.EMAIL,
        value=address,
    ).exists()


def _by_subject_tag(parsed: ParsedEmail) -> Conversation | None:
    match = SUBJECT_TAG_RE.search(parsed.subject)
    if not match:
        return None
    conversation = live_conversation(Conversation.objects.filter(number=int(match.group(1))).first())
    if conversation is None or not is_participant(conversation, parsed.from_address):
        return None
    return conversation


def find_conversation(parsed: ParsedEmail, mailbox: Mailbox | None) -> tuple[Conversation | None, str]:
    """The conversation to append to, and how it was found ("" when a new one is needed)."""
    conversation = _by_header_ids(parsed.thread_ids)
    if conversation is not None:
        return conversation, "headers"
    if mailbox is None or mailbox.thread_by_reply_token:
        conversation = _by_token(parsed)
        if conversation is not None:
            return conversation, "token"
    if mailbox is None or mailbox.thread_by_subject_tag:
        conversation = _by_subject_tag(parsed)
        if conversation is not None:
            return conversation, "subject"
    return None, ""
