import pytest
from django.urls import reverse

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import open_outbound_conversation
from goodwill.core.models import Event
from goodwill.customers.models import Customer

pytestmark = pytest.mark.django_db

NEW = reverse("conversations:new")


def test_an_agent_writes_first_to_a_customer_on_file(client, agent, customer, support_team):
    client.force_login(agent)
    page = client.get(NEW, {"customer": customer.pk})
    assert page.status_code == 200
    assert "Write to Carla Customer" in page.content.decode()
    response = client.post(
        NEW,
        {
            "customer": customer.pk,
            "subject": "Your new router",
            "text": "Hello Carla, it ships today.",
            "team": support_team.pk,
        },
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:detail", args=[conversation.number])
    assert (conversation.customer, conversation.team, conversation.assignee) == (
        customer,
        support_team,
        agent,
    )
    assert conversation.status == Conversation.Status.PENDING
    assert conversation.channel == Conversation.Channel.EMAIL
    assert conversation.last_inbound_at is None and conversation.waiting_since is None
    message = conversation.messages.get()
    assert (message.direction, message.author_agent, message.text) == (
        Message.Direction.OUTBOUND,
        agent,
        "Hello Carla, it ships today.",
    )
    opened = Event.objects.get(kind=Event.Kind.CONVERSATION_OPENED)
    assert opened.after["outbound"] is True and opened.customer == customer


def test_writing_to_a_new_address_creates_the_customer(client, agent):
    client.force_login(agent)
    response = client.post(
        NEW, {"email": "Nina@Shop.test", "name": "Nina Novak", "subject": "Welcome", "text": "Hi Nina"}
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.customer.name == "Nina Novak"
    assert Customer.objects.get().primary_email == "nina@shop.test"


def test_a_form_with_mistakes_keeps_what_was_typed_and_sends_nothing(client, agent):
    client.force_login(agent)
    response = client.post(NEW, {"email": "not-an-address", "subject": "Kept subject", "text": "Kept text"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Kept subject" in body and "Kept text" in body
    assert "Enter a valid email address." in body
    missing = client.post(NEW, {"subject": "Kept", "text": "Kept"})
    assert missing.status_code == 400
    assert "Give the customer&#x27;s email address." in missing.content.decode()
    assert not Conversation.objects.exists() and not Customer.objects.exists()


def test_a_restricted_team_the_agent_is_not_in_cannot_be_chosen(client, agent, customer, billing_team):
    client.force_login(agent)
    assert "Billing" not in client.get(NEW).content.decode()
    response = client.post(
        NEW, {"customer": customer.pk, "subject": "S", "text": "T", "team": billing_team.pk}
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists()


def test_a_light_agent_cannot_start_conversations(client, light_agent, customer):
    client.force_login(light_agent)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"customer": customer.pk, "subject": "S", "text": "T"}).status_code == 403
    assert not Conversation.objects.exists()


def test_the_service_refuses_an_empty_subject_or_message(agent, customer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        open_outbound_conversation(customer, by=agent, subject="  ", text="")
    assert set(refused.value.message_dict) == {"subject", "text"}
    assert not Conversation.objects.exists()


def test_the_inbox_and_the_customer_page_link_to_it(client, agent, customer):
    client.force_login(agent)
    assert NEW in client.get(reverse("conversations:inbox")).content.decode()
    assert (
        f"{NEW}?customer={customer.pk}"
        in client.get(reverse("conversations:customer", args=[customer.pk])).content.decode()
    )
