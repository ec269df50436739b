"""Reads for the customer portal: a customer sees only their own conversations and public messages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.customers.models import Customer

# What a customer reads instead of the team's workflow words.
STATUS_WORDS: dict[str, str] = {
    Conversation.Status.NEW: "Received",
    Conversation.Status.OPEN: "In progress",
    Conversation.Status.PENDING: "Waiting for your reply",
    Conversation.Status.ON_HOLD: "In progress",
    Conversation.Status.SOLVED: "Solved",
    Conversation.Status.CLOSED: "Closed",
}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, "In progress")


def customer_for_session(customer_id: object) -> Customer | None:
    if not isinstance(customer_id, int):
        return None
    return Customer.objects.filter(pk=customer_id).first()


def conversations_of(customer: Customer) -> QuerySet[Conversation]:
    """The customer's own conversations, newest activity first; merged-away ones are left out."""
    return Conversation.objects.filter(customer=customer, merged_into__isnull=True).order_by(
        "-last_message_at", "-id"
    )


def get_conversation_of(customer: Customer, number: int) -> Conversation:
    """The customer's conversation by number, following merges; anyone else's is a 404."""
    conversation = Conversation.objects.filter(number=number, customer=customer).first()
    seen: set[int] = set()
    while conversation is not None and conversation.merged_into_id is not None:
        if conversation.pk in seen:
            break
        seen.add(conversation.pk)
        conversation = conversation.merged_into
    if conversation is None or conversation.customer_id != customer.pk or conversation.merged_into_id:
        raise Http404("No such conversation")
    return conversation


def public_messages(conversation: Conversation) -> QuerySet[Message]:
    """Replies between customer and team; notes, phone logs and internal messages stay inside."""
    return (
        Message.objects.filter(
            conversation=conversation,
            kind=Message.Kind.REPLY,
            direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
        )
        .select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def get_attachment_of(customer: Customer, number: int, attachment_id: int) -> Attachment:
    conversation = get_conversation_of(customer, number)
    attachment = Attachment.objects.filter(
        pk=attachment_id,
        message__conversation=conversation,
        message__kind=Message.Kind.REPLY,
        message__direction__in=[Message.Direction.INBOUND, Message.Direction.OUTBOUND],
    ).first()
    if attachment is None:
        raise Http404("No such file")
    return attachment
