"""Colleagues as customers: company domains, staff sign-in to the portal, requests to teams, linked help."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from goodwill.accounts.models import Notification, Team
from goodwill.channels.portal.services import SESSION_KEY, start_request
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import add_reply, change_status, open_conversation
from goodwill.core.events import run_subscriber
from goodwill.core.models import Event
from goodwill.customers.services import create_customer, find_or_create_customer_by_email
from goodwill.internal.models import LinkedRequest
from goodwill.internal.services import ask_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_team(db) -> Team:  # type: ignore[no-untyped-def]
    return Team.objects.create(name="IT", slug="it", accepts_internal_requests=True)


@pytest.fixture
def origin(customer, support_team):  # type: ignore[no-untyped-def]
    return open_conversation(customer=customer, subject="Cannot log in", text="Help", channel="email",
                             team=support_team)[0]


def test_addresses_on_company_domains_are_colleagues(settings):
    settings.INTERNAL_EMAIL_DOMAINS = ["fjordlight.example"]
    assert find_or_create_customer_by_email("ole@fjordlight.example").is_internal
    assert find_or_create_customer_by_email("kim@eu.fjordlight.example").is_internal
    assert not find_or_create_customer_by_email("ann@notfjordlight.example").is_internal
    assert not create_customer(name="X", emails=["x@customer.test"]).is_internal


def test_a_colleague_asks_a_team_from_the_portal(it_team, settings):
    settings.INTERNAL_EMAIL_DOMAINS = ["fjordlight.example"]
    colleague = find_or_create_customer_by_email("ole@fjordlight.example")
    conversation = start_request(colleague, subject="Laptop", text="My laptop will not boot", team=it_team)
    assert conversation.channel == Conversation.Channel.INTERNAL and conversation.team == it_team


def test_only_colleagues_and_only_to_teams_that_accept(customer, it_team, support_team, settings):
    with pytest.raises(ValidationError):
        start_request(customer, subject="x", text="y", team=it_team)  # not a colleague
    settings.INTERNAL_EMAIL_DOMAINS = ["fjordlight.example"]
    colleague = find_or_create_customer_by_email("ole@fjordlight.example")
    with pytest.raises(ValidationError):
        start_request(colleague, subject="x", text="y", team=support_team)  # does not accept
    assert Conversation.objects.count() == 0


def test_the_portal_offers_colleagues_the_teams(client, it_team, settings):
    settings.INTERNAL_EMAIL_DOMAINS = ["fjordlight.example"]
    colleague = find_or_create_customer_by_email("ole@fjordlight.example")
    session = client.session
    session[SESSION_KEY] = colleague.pk
    session.save()
    page = client.get("/portal/new/").content.decode()
    assert "Which team" in page and ">IT<" in page
    answer = client.post("/portal/new/", {"team": it_team.pk, "subject": "VPN", "text": "VPN drops every hour"})
    assert answer.status_code == 302
    assert Conversation.objects.get().channel == "internal"


def test_customers_are_not_offered_teams(client, customer, it_team):
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    assert "Which team" not in client.get("/portal/new/").content.decode()


def test_an_agent_signs_in_to_the_portal_as_a_colleague(client, agent, it_team):
    assert client.get("/portal/staff/").status_code == 302  # not signed in: the staff login first
    client.force_login(agent)
    assert "Continue as" in client.get("/portal/staff/").content.decode()
    assert client.post("/portal/staff/").status_code == 302
    colleague = find_or_create_customer_by_email(agent.email)
    assert colleague.is_internal and client.session[SESSION_KEY] == colleague.pk


def test_asking_another_team_links_the_request_and_tells_the_asker(agent, teammate, origin, it_team):
    link = ask_team(origin, by=agent, team=it_team, subject="", text="Can you reset Carla's SSO account?")
    request = link.request
    assert request.channel == "internal" and request.team == it_team and request.customer.is_internal
    assert request.subject == f"Help with #{origin.number}: Cannot log in"
    assert LinkedRequest.objects.get().origin == origin

    add_reply(request, by=teammate, text="Done, it is reset.")
    change_status(request, "solved", by=teammate)
    events = Event.objects.filter(conversation=request, kind__in=["message.replied", "conversation.status"])
    run_subscriber.call("goodwill.internal.services.tell_asker", [event.pk for event in events])
    run_subscriber.call("goodwill.internal.services.tell_asker", [event.pk for event in events])  # the same events delivered again: still one notice each
    titles = sorted(Notification.objects.filter(agent=agent).values_list("title", flat=True))
    assert titles == [f"IT answered your request #{request.number}", f"Your request #{request.number} to IT is solved"]


def test_asking_checks_the_team_and_the_text(agent, origin, support_team):
    with pytest.raises(ValidationError) as error:
        ask_team(origin, by=agent, team=support_team, subject="", text=" ")
    assert set(error.value.message_dict) == {"team", "text"}


def test_the_panel_shows_the_state_and_where_it_came_from(client, agent, origin, it_team):
    link = ask_team(origin, by=agent, team=it_team, subject="SSO", text="Please reset")
    client.force_login(agent)
    page = client.get(f"/c/{origin.number}/").content.decode()
    assert f"#{link.request.number}" in page and "to IT" in page and "New" in page
    answer = client.post(f"/c/{origin.number}/ask-team/", {"team": it_team.pk, "text": "Another one"})
    assert answer.status_code == 302 and LinkedRequest.objects.count() == 2
    request_page = client.get(f"/c/{link.request.number}/").content.decode()
    assert f"Asked from <a href=\"/c/{origin.number}/\">" in request_page
