"""Who may see and do what: anonymous visitors, restricted teams, light agents, admins."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.services import issue_api_token
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.selectors import (
    can_see_conversation,
    conversations_visible_to,
    get_conversation_for,
)
from goodwill.conversations.services import add_note, add_reply, change_status, open_conversation
from goodwill.customers.models import Customer


def open_for(customer: Customer, team: Team | None, subject: str = "Invoice twice") -> Conversation:
    conversation, _ = open_conversation(
        customer=customer, subject=subject, channel=Conversation.Channel.EMAIL, text="Please help", team=team
    )
    return conversation


def api(client: Client, agent: Agent, path: str) -> object:
    token = issue_api_token(agent)
    return client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- anonymous -------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in_from_the_workspace(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_anonymous_visitors_cannot_open_a_conversation_page(client: Client, customer: Customer) -> None:
    conversation = open_for(customer, None)

    response = client.get(f"/c/{conversation.number}/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_api_answers_401_without_a_token(client: Client) -> None:
    for path in ("/conversations", "/customers", "/organisations", "/conversations/1"):
        response = client.get(f"/api/v1{path}")

        assert response.status_code == 401, path
        assert "detail" in response.json()


@pytest.mark.django_db
def test_the_api_answers_401_for_a_made_up_token(client: Client) -> None:
    response = client.get("/api/v1/conversations", HTTP_AUTHORIZATION="Bearer gw_not-a-real-token")

    assert response.status_code == 401


def test_the_api_ignores_a_browser_session(client: Client, agent: Agent) -> None:
    client.force_login(agent)

    assert client.get("/api/v1/conversations").status_code == 401


def test_the_api_refuses_a_deactivated_agents_token(client: Client, agent: Agent) -> None:
    token = issue_api_token(agent)
    Agent.objects.filter(pk=agent.pk).update(is_active=False)

    response = client.get("/api/v1/conversations", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401


@pytest.mark.django_db
def test_anonymous_visitors_get_the_admin_sign_in_not_the_admin(client: Client) -> None:
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Django admin ----------------------------------------------------------------


def test_an_admin_reaches_the_django_admin(client: Client, admin: Agent) -> None:
    client.force_login(admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "Goodwill administration" in response.content.decode()
    assert client.get("/admin/accounts/agent/").status_code == 200


def test_an_agent_gets_no_django_admin(client: Client, agent: Agent) -> None:
    client.force_login(agent)

    index = client.get("/admin/")
    agents = client.get("/admin/accounts/agent/")

    assert index.status_code == 302
    assert index["Location"].startswith("/admin/login/")
    assert agents.status_code == 302


def test_a_light_agent_gets_no_django_admin(client: Client, light_agent: Agent) -> None:
    client.force_login(light_agent)

    assert client.get("/admin/").status_code == 302


def test_an_agent_cannot_sign_in_to_the_admin_with_a_password(client: Client, agent: Agent) -> None:
    response = client.post("/admin/login/", {"username": "sam@example.com", "password": "pw-sam-123"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302


def test_the_admin_sign_in_is_the_rate_limited_one(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/accounts/agent/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Faccounts%2Fagent%2F"
    off_site = client.get("/admin/login/?next=https://evil.example/")
    assert off_site["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_signed_in_agent_is_told_the_admin_is_for_admins(client: Client, agent: Agent) -> None:
    client.force_login(agent)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_roles_decide_admin_flags(admin: Agent, agent: Agent, light_agent: Agent) -> None:
    assert (admin.is_admin, admin.is_staff, admin.is_superuser, admin.can_reply) == (True, True, True, True)
    assert (agent.is_admin, agent.is_staff, agent.is_superuser, agent.can_reply) == (False, False, False, True)
    assert (light_agent.is_admin, light_agent.is_staff, light_agent.can_reply, light_agent.is_light) == (
        False,
        False,
        False,
        True,
    )
    assert agent.has_perm("accounts.change_agent") is False
    assert admin.has_perm("accounts.change_agent") is True


def test_a_deactivated_admin_loses_admin_rights(admin: Agent) -> None:
    admin.is_active = False

    assert admin.is_admin is False
    assert admin.is_staff is False


# --- restricted teams -------------------------------------------------------------


def test_an_agent_cannot_see_a_restricted_teams_conversation(
    agent: Agent, outsider: Agent, billing_team: Team, customer: Customer
) -> None:
    hidden = open_for(customer, billing_team)
    shared = open_for(customer, None, subject="Open to all")

    assert not can_see_conversation(agent, hidden)
    assert list(conversations_visible_to(agent)) == [shared]
    with pytest.raises(Http404):
        get_conversation_for(agent, hidden.number)
    assert can_see_conversation(outsider, hidden)
    assert get_conversation_for(outsider, hidden.number) == hidden


def test_an_unrestricted_teams_conversations_are_visible_to_everyone(
    outsider: Agent, support_team: Team, customer: Customer
) -> None:
    conversation = open_for(customer, support_team)

    assert can_see_conversation(outsider, conversation)
    assert conversation in conversations_visible_to(outsider)


def test_an_admin_sees_every_team(admin: Agent, billing_team: Team, customer: Customer) -> None:
    hidden = open_for(customer, billing_team)

    assert can_see_conversation(admin, hidden)
    assert get_conversation_for(admin, hidden.number) == hidden


def test_a_deactivated_agent_sees_nothing(outsider: Agent, billing_team: Team, customer: Customer) -> None:
    open_for(customer, billing_team)
    outsider.is_active = False

    assert not conversations_visible_to(outsider).exists()


def test_the_conversation_page_of_a_restricted_team_is_a_404(
    client: Client, agent: Agent, outsider: Agent, billing_team: Team, customer: Customer
) -> None:
    hidden = open_for(customer, billing_team)

    client.force_login(agent)
    assert client.get(f"/c/{hidden.number}/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/c/{hidden.number}/").status_code == 200


def test_the_api_hides_a_restricted_teams_conversation(
    client: Client, agent: Agent, outsider: Agent, billing_team: Team, customer: Customer
) -> None:
    hidden = open_for(customer, billing_team)
    shared = open_for(customer, None, subject="Open to all")

    listed = api(client, agent, "/conversations").json()["items"]  # type: ignore[attr-defined]
    single = api(client, agent, f"/conversations/{hidden.number}")
    messages = api(client, agent, f"/conversations/{hidden.number}/messages")

    assert [item["number"] for item in listed] == [shared.number]
    assert single.status_code == 404  # type: ignore[attr-defined]
    assert messages.status_code == 404  # type: ignore[attr-defined]
    assert api(client, outsider, f"/conversations/{hidden.number}").status_code == 200  # type: ignore[attr-defined]


# --- light agents -----------------------------------------------------------------


def test_a_light_agent_can_add_notes_but_not_replies(light_agent: Agent, customer: Customer) -> None:
    conversation = open_for(customer, None)

    note = add_note(conversation, by=light_agent, text="Looping in finance.")
    with pytest.raises(PermissionDenied):
        add_reply(conversation, by=light_agent, text="Hello from a light agent")
    with pytest.raises(PermissionDenied):
        change_status(conversation, Conversation.Status.SOLVED, by=light_agent)

    assert note.direction == Message.Direction.INTERNAL
    assert not conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.NEW


def test_a_light_agent_cannot_reply_from_the_workspace(
    client: Client, light_agent: Agent, customer: Customer
) -> None:
    conversation = open_for(customer, None)
    client.force_login(light_agent)

    reply = client.post(f"/c/{conversation.number}/send", {"kind": "reply", "text": "Sneaky reply"})
    note = client.post(f"/c/{conversation.number}/send", {"kind": "note", "text": "A note is fine"})

    assert reply.status_code == 403
    assert note.status_code == 302
    kinds = list(conversation.messages.values_list("direction", "text"))
    assert (Message.Direction.INTERNAL, "A note is fine") in kinds
    assert not conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()


def test_an_agent_can_reply_from_the_workspace(client: Client, agent: Agent, customer: Customer) -> None:
    conversation = open_for(customer, None)
    client.force_login(agent)

    response = client.post(f"/c/{conversation.number}/send", {"kind": "reply", "text": "Happy to help, Carla."})

    assert response.status_code == 302
    assert conversation.messages.filter(direction=Message.Direction.OUTBOUND, author_agent=agent).exists()
