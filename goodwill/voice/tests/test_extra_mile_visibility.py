"""The extra-mile report shows an agent only what they may read: no action, customer, team or
figure of a restricted team they are not in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
from goodwill.voice.extra_mile_days import rebuild_stale_days
from goodwill.voice.models import ExtraMile

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_action(billing_team, outsider):  # type: ignore[no-untyped-def]
    person = create_customer(name="Bettina Billing", emails=["bettina@customer.test"])
    conversation = open_conversation(
        customer=person, subject="Invoice", text="t", channel="email", team=billing_team
    )[0]
    ended = timezone.now() - timedelta(days=100)
    Conversation.objects.filter(pk=conversation.pk).update(
        status="solved", solved_at=ended, last_message_at=ended
    )
    ExtraMile.objects.create(
        conversation=conversation, agent=outsider, what="Refunded the fee", cost="5", created_at=ended
    )
    rebuild_stale_days(limit=None)
    return conversation


def test_an_agent_outside_a_restricted_team_does_not_see_its_actions(client, agent, billing_action):
    client.force_login(agent)
    page = client.get("/voice/extra-mile/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Bettina Billing" not in body and "Refunded the fee" not in body
    assert f"#{billing_action.number}<" not in body
    assert ">Billing</option>" not in body
    with_action = body.split('<th scope="row">With an extra-mile action</th><td>')[1]
    assert with_action.startswith("0<")  # the restricted team's conversation is not counted either


def test_a_member_of_the_team_sees_them(client, outsider, billing_action):
    client.force_login(outsider)
    body = client.get("/voice/extra-mile/").content.decode()
    assert "Bettina Billing" in body and "Refunded the fee" in body and ">Billing</option>" in body
    with_action = body.split('<th scope="row">With an extra-mile action</th><td>')[1]
    assert with_action.startswith("1<")
