"""Which transport delivers a reply: the registry the channels fill at start-up."""

from __future__ import annotations

import pytest

from goodwill.conversations.delivery import (
    register_transport,
    registered_transports,
    transport_for,
    unregister_transport,
)
from goodwill.conversations.models import Message
from goodwill.conversations.services import add_reply, open_conversation
from goodwill.conversations.tasks import deliver_reply
from goodwill.conversations.tests import transports_for_tests
from goodwill.customers.services import create_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_transport():  # type: ignore[no-untyped-def]
    transports_for_tests.DELIVERED.clear()
    register_transport("phone-test", "goodwill.conversations.tests.transports_for_tests.PhoneTransport")
    yield
    unregister_transport("phone-test")


def test_the_email_channel_registers_itself_at_start_up():
    assert registered_transports()["email"] == "goodwill.channels.email.transport.EmailTransport"


def test_a_reply_to_an_email_customer_is_queued_for_the_email_transport(customer, agent):
    conversation, _ = open_conversation(customer=customer, subject="Hi", channel="email", text="Hello")
    chosen = transport_for(conversation)
    assert chosen is not None and chosen.name == "email"
    assert add_reply(conversation, by=agent, text="Hello!").delivery == Message.Delivery.QUEUED


def test_a_reply_nobody_delivers_is_only_stored(agent):
    walk_in = create_customer(name="No Address")
    conversation, _ = open_conversation(customer=walk_in, subject="At the desk", channel="walk_in", text="Hi")
    assert transport_for(conversation) is None
    assert add_reply(conversation, by=agent, text="Noted.").delivery == Message.Delivery.NONE


def test_a_registered_transport_delivers_the_replies_it_accepts(
    customer, agent, phone_transport, django_capture_on_commit_callbacks
):
    conversation, _ = open_conversation(customer=customer, subject="Call", channel="phone", text="Rang")
    with django_capture_on_commit_callbacks() as callbacks:
        reply = add_reply(conversation, by=agent, text="Calling back")
    assert reply.delivery == Message.Delivery.QUEUED
    assert len(callbacks) == 1  # the delivery task is enqueued only after the reply is committed
    deliver_reply.call(reply.pk, "phone-test")
    deliver_reply.call(reply.pk)  # without a name the choice is made again
    assert [reply.pk, reply.pk] == transports_for_tests.DELIVERED
