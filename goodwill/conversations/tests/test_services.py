import pytest
from django.core.exceptions import PermissionDenied

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_note, add_reply, assign_conversation, open_conversation
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


def test_a_light_agent_can_note_but_not_reply(customer, light_agent):
    conversation, _ = open_conversation(customer=customer, subject="Help", channel="phone", text="Hi")
    note = add_note(conversation, by=light_agent, text="Checked the logs")
    assert note.kind == Message.Kind.NOTE
    with pytest.raises(PermissionDenied):
        add_reply(conversation, by=light_agent, text="Hello!")
    with pytest.raises(PermissionDenied):
        assign_conversation(conversation, to=None, by=light_agent)


def test_a_reply_stops_the_wait_and_opens_the_conversation(customer, agent):
    conversation, _ = open_conversation(customer=customer, subject="Help", channel="phone", text="Hi")
    add_reply(conversation, by=agent, text="Hello Carla, happy to help.")
    conversation.refresh_from_db()
    assert conversation.waiting_since is None
    assert conversation.first_response_at is not None
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.assignee == agent
    assert conversation.message_count == 2
