"""Agents writing on a conversation: replies, internal notes, logged contacts."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    add_note,
    add_reply,
    assign_conversation,
    log_contact,
    open_conversation,
)

pytestmark = pytest.mark.django_db


def test_a_light_agent_can_note_but_not_reply(customer, light_agent):
    conversation, _ = open_conversation(customer=customer, subject="Help", channel="phone", text="Hi")
    note = add_note(conversation, by=light_agent, text="Checked the logs")
    assert note.kind == Message.Kind.NOTE
    with pytest.raises(PermissionDenied):
        add_reply(conversation, by=light_agent, text="Hello!")
    with pytest.raises(PermissionDenied):
        assign_conversation(conversation, to=None, by=light_agent)
    with pytest.raises(PermissionDenied):
        log_contact(by=light_agent, customer=customer, kind="phone", text="Called")


def test_a_reply_stops_the_wait_and_opens_the_conversation(customer, agent):
    conversation, _ = open_conversation(customer=customer, subject="Help", channel="phone", text="Hi")
    add_reply(conversation, by=agent, text="Hello Carla, happy to help.")
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert conversation.first_response_at is not None
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.assignee == agent
    assert conversation.message_count == 2


def test_a_logged_call_opens_a_phone_conversation(customer, agent):
    conversation, message = log_contact(
        by=agent, customer=customer, kind="phone", text="Asked about the bill"
    )
    assert conversation.channel == Conversation.Channel.PHONE
    assert message.author_agent == agent and message.author_customer == customer
