import pytest
from django.urls import reverse

from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


def customer_url(customer) -> str:
    return reverse("conversations:customer", args=[customer.pk])


def test_the_customer_page_lists_only_visible_conversations(client, agent, customer, billing_team):
    seen = make_conversation(customer=customer, subject="Visible question")
    make_conversation(customer=customer, subject="Billing secret", team=billing_team)
    client.force_login(agent)
    response = client.get(customer_url(customer))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Visible question" in body
    assert "Billing secret" not in body
    assert [c.number for c in response.context["conversations"]] == [seen.number]
    assert all(
        event.conversation is None or event.conversation.team_id is None
        for event in response.context["events"]
    )


def test_an_agent_updates_what_the_customer_likes_to_be_called(client, agent, customer):
    client.force_login(agent)
    response = client.post(
        customer_url(customer),
        {"name": customer.name, "preferred_name": "Carly", "pronunciation": "KAR-lee", "notes": ""},
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.preferred_name == "Carly"
    assert Event.objects.filter(customer=customer, kind=Event.Kind.CUSTOMER_CHANGED).exists()


def test_light_agents_read_but_do_not_edit_customers(client, light_agent, customer):
    client.force_login(light_agent)
    assert client.get(customer_url(customer)).status_code == 200
    response = client.post(customer_url(customer), {"name": "Changed"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Carla Customer"


def test_an_unknown_customer_is_not_found(client, agent):
    client.force_login(agent)
    assert client.get(reverse("conversations:customer", args=[999999])).status_code == 404
