"""Which conversation an inbound email belongs to.

Order, most trusted first: In-Reply-To/References naming a Message-ID we know; our
signed reply token (in those ids or the recipient address); a `[#1234]` subject tag,
only when the sender already takes part in #1234. Subject text alone never decides.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from goodwill.channels.email.models import EmailDetails, Mailbox
from goodwill.channels.email.parsing import ParsedEmail
from goodwill.channels.email.threads import SUBJECT_TAG_RE, live_conversation, number_from_token
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_note
from goodwill.customers.models import Identity


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


def is_participant(conversation: Conversation, address: str, mailbox: Mailbox | None = None) -> bool:
    """The sender may write in this conversation by email.

    The customer, anyone who wrote in it before, anyone its emails were addressed or copied
    to, and (when the mailbox allows it) anyone at the customer's organisation's domains.
    """
    authors = Message.objects.filter(conversation=conversation, author_customer__isnull=False).values(
        "author_customer"
    )
    if Identity.objects.filter(
        Q(customer_id=conversation.customer_id) | Q(customer__in=authors),
        kind=Identity.Kind.EMAIL,
        value=address,
    ).exists():
        return True
    for to, cc in EmailDetails.objects.filter(message__conversation=conversation).values_list("to", "cc"):
        if address in (to or []) or address in (cc or []):
            return True
    if mailbox is not None and mailbox.thread_by_customer_domain:
        organisation = conversation.customer.organisation
        domain = address.rpartition("@")[2]
        return organisation is not None and domain in organisation.domain_list
    return False


def _by_subject_tag(parsed: ParsedEmail, mailbox: Mailbox | None) -> Conversation | None:
    match = SUBJECT_TAG_RE.search(parsed.subject)
    if not match:
        return None
    conversation = live_conversation(Conversation.objects.filter(number=int(match.group(1))).first())
    if conversation is None or not is_participant(conversation, parsed.from_address, mailbox):
        return None
    return conversation


def find_conversation(parsed: ParsedEmail, mailbox: Mailbox | None) -> tuple[Conversation | None, str]:
    """The conversation to append to and how it was found ("" when a new one is needed).

    Headers follow the subject tag's rule: a sender who does not take part in the
    conversation they answer gets ("stranger") and that conversation, to open a new one
    linked to it; they never enter it. Message-IDs travel in every quote and forward, while
    our signed reply token is a capability only our own mail hands out, so it needs no rule.
    """
    conversation = _by_header_ids(parsed.thread_ids)
    if conversation is not None:
        if not is_participant(conversation, parsed.from_address, mailbox):
            return conversation, "stranger"
        return conversation, "headers"
    if mailbox is None or mailbox.thread_by_reply_token:
        conversation = _by_token(parsed)
        if conversation is not None:
            return conversation, "token"
    if mailbox is None or mailbox.thread_by_subject_tag:
        conversation = _by_subject_tag(parsed, mailbox)
        if conversation is not None:
            return conversation, "subject"
    return None, ""


def link_stranger(answered: Conversation, opened: Conversation, *, sender: str, at: datetime) -> None:
    """Note on both conversations that a non-participant's answer to one opened the other."""
    add_note(
        opened,
        by=None,
        text=f"{sender} answered conversation #{answered.number} but does not take part in it, "
        "so their message opened this conversation instead.",
        at=at,
    )
    add_note(
        answered,
        by=None,
        text=f"{sender}, who does not take part in this conversation, answered it by email; "
        f"their message opened conversation #{opened.number}.",
        at=at,
    )
