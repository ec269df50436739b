"""Customer messages coming in: open, append, and many at once (the email intake's batches)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    InboundMessage,
    NewAttachment,
    change_status,
    open_conversation,
    receive_message,
    receive_messages_in_bulk,
)
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


def test_opening_numbers_conversations_and_records_the_event(customer):
    first, message = open_conversation(
        customer=customer, subject="Where is my order?", channel="email", text="Hi"
    )
    second, _ = open_conversation(customer=customer, subject="Again", channel="portal", text="Hello")
    assert second.number == first.number + 1
    assert message.direction == Message.Direction.INBOUND
    assert first.status == Conversation.Status.NEW
    assert Event.objects.filter(conversation=first, kind=Event.Kind.CONVERSATION_OPENED).exists()


def test_a_conversation_without_a_subject_is_named_after_its_first_line(customer):
    conversation, _ = open_conversation(
        customer=customer, subject="  ", channel="portal", text="\n  My bill\nis wrong"
    )
    assert conversation.subject == "My bill"


def _receive(path: str, conversation: Conversation, at) -> None:  # type: ignore[no-untyped-def]
    if path == "one message":
        receive_message(conversation, customer=conversation.customer, text="Any news?", at=at)
    else:
        fresh = Conversation.objects.get(pk=conversation.pk)
        receive_messages_in_bulk(
            [
                InboundMessage(
                    customer=conversation.customer,
                    channel="email",
                    at=at,
                    text="Any news?",
                    conversation=fresh,
                )
            ]
        )


@pytest.mark.parametrize("path", ["one message", "bulk"])
@pytest.mark.parametrize("status", ["pending", "solved", "closed"])
def test_a_customer_message_reopens_the_conversation(customer, agent, path, status):
    conversation, _ = open_conversation(customer=customer, subject="Refund", channel="email", text="Hi")
    change_status(conversation, status, by=agent)
    at = timezone.now() + timedelta(minutes=5)
    _receive(path, conversation, at)
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.solved_at is None
    assert conversation.waiting_since is not None and conversation.last_inbound_at == at
    assert conversation.message_count == 2
    reopened = Event.objects.filter(conversation=conversation, kind=Event.Kind.STATUS_CHANGED).last()
    assert reopened is not None and (reopened.before, reopened.after) == (
        {"status": status},
        {"status": "open"},
    )


@pytest.mark.parametrize("path", ["one message", "bulk"])
def test_a_customer_message_leaves_an_open_conversation_open(customer, agent, path):
    conversation, _ = open_conversation(customer=customer, subject="Refund", channel="email", text="Hi")
    change_status(conversation, "on_hold", by=agent)
    _receive(path, conversation, timezone.now())
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.ON_HOLD
    assert not Event.objects.filter(
        conversation=conversation, kind=Event.Kind.STATUS_CHANGED, actor=None
    ).exists()


def test_a_batch_opens_joins_and_follows_like_one_message_at_a_time(customer, tmp_path):
    existing, _ = open_conversation(customer=customer, subject="Old", channel="email", text="Hi")
    at = timezone.now()
    results = receive_messages_in_bulk(
        [
            InboundMessage(customer=customer, channel="email", at=at, text="New one", subject="Fresh"),
            InboundMessage(customer=customer, channel="email", at=at, text="Me again", follows=0),
            InboundMessage(
                customer=customer,
                channel="email",
                at=at,
                text="Photo",
                conversation=existing,
                attachments=[NewAttachment("a.png", b"png", "image/png")],
            ),
        ]
    )
    (new, _, opened), (followed, _, opened_again), (joined, photo, opened_third) = results
    assert (opened, opened_again, opened_third) == (True, False, False)
    assert followed.pk == new.pk and joined.pk == existing.pk
    new.refresh_from_db()
    existing.refresh_from_db()
    assert (new.subject, new.message_count, new.created_at) == ("Fresh", 2, at)
    assert existing.message_count == 2
    assert photo.attachments.get().filename == "a.png"
    kinds = list(Event.objects.filter(conversation__in=[new, existing]).values_list("kind", flat=True))
    assert kinds.count(Event.Kind.CONVERSATION_OPENED) == 2
    assert kinds.count(Event.Kind.MESSAGE_RECEIVED) == 2
