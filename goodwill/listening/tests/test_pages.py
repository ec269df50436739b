"""Agents see the customer's mood quietly on the inbox and the timeline; customers never do."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goodwill.channels.portal.tests.conftest import sign_in_as
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_reply, change_status, receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.listening.services import score_message

pytestmark = pytest.mark.django_db

INBOX = reverse("conversations:inbox")
ANGRY = "This is the THIRD time I'm writing. Still broken and nobody answers. I'm furious!"
ABUSIVE = "You people are a bunch of incompetent clowns."
CALM = "Hello, could you tell me when the shop opens on Saturday? Thanks."


def scored(conversation: Conversation, text: str) -> Message:
    message = receive_message(conversation, customer=conversation.customer, text=text)
    score_message(message)
    return message


def numbers_in(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(n) for n in response.content.decode().split('data-number="')[1:] for n in [n.split('"')[0]]]


@pytest.fixture(autouse=True)
def _fresh_counts():  # type: ignore[no-untyped-def]
    cache.clear()


def test_the_upset_view_lists_open_conversations_whose_latest_customer_message_is_upset(client, agent):
    angry = make_conversation(subject="Angry")
    scored(angry, ANGRY)
    abusive = make_conversation(subject="Abusive")
    scored(abusive, ABUSIVE)
    calm = make_conversation(subject="Calm")
    scored(calm, CALM)
    calmed_down = make_conversation(subject="Calmed down")
    scored(calmed_down, ANGRY)
    scored(calmed_down, "Thanks so much, that solved it, great help!")
    solved = make_conversation(subject="Solved")
    scored(solved, ANGRY)
    change_status(solved, Conversation.Status.SOLVED, by=agent)
    client.force_login(agent)
    response = client.get(INBOX, {"view": "upset"})
    assert response.status_code == 200
    assert sorted(numbers_in(response)) == sorted([angry.number, abusive.number])
    assert "Upset customers" in client.get(INBOX).content.decode()


def test_inbox_rows_show_the_latest_customer_mood(client, agent):
    angry = make_conversation(subject="Angry")
    scored(angry, ANGRY)
    calm = make_conversation(subject="Calm")
    scored(calm, CALM)
    client.force_login(agent)
    body = client.get(INBOX, {"view": "open"}).content.decode()
    rows = {int(part.split('"')[0]): part for part in body.split('data-number="')[1:]}
    assert "badge-mood" in rows[angry.number]
    assert "badge-mood" not in rows[calm.number]


def test_the_mood_costs_one_query_per_inbox_page_however_many_rows(client, agent, support_team):
    scored(make_conversation(team=support_team), ANGRY)
    client.force_login(agent)
    client.get(INBOX, {"view": "open"})  # warm the view counts cache
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX, {"view": "open"})
    for _ in range(8):
        scored(make_conversation(team=support_team), ANGRY)
    with CaptureQueriesContext(connection) as many:
        body = client.get(INBOX, {"view": "open"}).content.decode()
    assert len(many) == len(few)
    assert body.count("badge-mood") == 9


def test_the_timeline_shows_each_customer_message_mood_and_flags_abuse(client, agent):
    conversation = make_conversation()
    angry = scored(conversation, ANGRY)
    abusive = scored(conversation, ABUSIVE)
    reply = add_reply(conversation, by=agent, text="I'm so sorry, this is awful, we failed you.")
    client.force_login(agent)
    body = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    items = {int(pk): item for pk, item in re.findall(r'id="m(\d+)"><article(.*?)</article>', body, re.S)}
    assert "badge-mood" in items[angry.pk] and "\u2212" in items[angry.pk]  # with its sentiment
    assert "mood-abusive" in items[abusive.pk] and "flagged as abusive" in items[abusive.pk]
    assert "badge-mood" not in items[reply.pk]


def test_the_customer_never_sees_their_mood_in_the_portal(client, customer):
    conversation = make_conversation(customer=customer)
    scored(conversation, ANGRY)
    scored(conversation, ABUSIVE)
    sign_in_as(client, customer)
    for path in ("/portal/", f"/portal/c/{conversation.number}/"):
        body = client.get(path).content.decode()
        assert "badge-mood" not in body and "mood-" not in body
        assert "abusive" not in body.lower() and "sentiment" not in body.lower()
