from __future__ import annotations

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import (
    add_reply,
    assign_conversation,
    change_status,
    open_conversation,
    receive_message,
)
from goodwill.live.selectors import conversation_marker


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Where is my parcel?",
        channel="email",
        text="It has not arrived.",
        team=support_team,
    )[0]


@pytest.fixture
def billing_conversation(customer, billing_team) -> Conversation:
    return open_conversation(
        customer=customer, subject="Invoice twice", channel="email", text="Charged twice.", team=billing_team
    )[0]


def _client_for(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def _beat(client: Client, conversation: Conversation, **data) -> dict:
    response = client.post(reverse("live:heartbeat", args=[conversation.number]), data)
    assert response.status_code == 200, response.content
    return response.json()


def test_it_shows_each_agent_the_other_agent_viewing(agent, teammate, conversation):
    sam, tess = _client_for(agent), _client_for(teammate)

    assert _beat(sam, conversation, state="viewing")["others"] == []
    seen_by_tess = _beat(tess, conversation, state="viewing")
    seen_by_sam = _beat(sam, conversation, state="viewing")

    assert seen_by_tess["others"] == [{"name": "Sam Agent", "state": "viewing"}]
    assert seen_by_sam["others"] == [{"name": "Tess Teammate", "state": "viewing"}]
    assert seen_by_sam["collision"] is False


def test_it_flags_a_collision_when_someone_else_is_replying(agent, teammate, conversation):
    sam, tess = _client_for(agent), _client_for(teammate)
    _beat(tess, conversation, state="replying")

    answer = _beat(sam, conversation, state="viewing")

    assert answer["collision"] is True
    assert answer["others"] == [{"name": "Tess Teammate", "state": "replying"}]
    # Tess is not warned about her own reply.
    assert _beat(tess, conversation, state="replying")["collision"] is False


def test_an_agent_who_leaves_disappears_at_once(agent, teammate, conversation):
    sam, tess = _client_for(agent), _client_for(teammate)
    _beat(tess, conversation, state="replying")

    response = tess.post(reverse("live:leave", args=[conversation.number]))

    assert response.status_code == 200
    assert _beat(sam, conversation)["others"] == []


def test_an_unknown_state_counts_as_viewing(agent, teammate, conversation):
    _beat(_client_for(teammate), conversation, state="<script>")
    assert _beat(_client_for(agent), conversation)["others"][0]["state"] == "viewing"


def test_presence_expires_when_heartbeats_stop(agent, teammate, conversation, monkeypatch):
    import time as real_time

    _beat(_client_for(teammate), conversation, state="replying")
    later = real_time.time() + 60
    monkeypatch.setattr("goodwill.live.services.time.time", lambda: later)

    assert _beat(_client_for(agent), conversation)["others"] == []


def test_a_foreign_conversation_is_a_404(outsider, agent, billing_conversation, conversation):
    sam = _client_for(agent)
    for name in ("live:heartbeat", "live:leave"):
        assert sam.post(reverse(name, args=[billing_conversation.number])).status_code == 404
    assert sam.get(reverse("live:poll", args=[billing_conversation.number])).status_code == 404
    assert sam.post(reverse("live:heartbeat", args=[999999])).status_code == 404
    # The billing agent sees it, and Sam's presence never leaks into it.
    assert _beat(_client_for(outsider), billing_conversation)["others"] == []


def test_it_refuses_anonymous_callers(conversation):
    response = Client().post(reverse("live:heartbeat", args=[conversation.number]))
    assert response.status_code == 401
    assert Client().get(reverse("live:heartbeat", args=[conversation.number])).status_code in (401, 405)


def test_it_reports_new_messages_since_the_clients_marker(agent, customer, conversation):
    sam = _client_for(agent)
    first = _beat(sam, conversation)
    marker = first["marker"]
    assert (
        _beat(sam, conversation, message=marker["message"], state_marker=marker["state"])["new_messages"]
        is False
    )

    message = receive_message(conversation, customer=customer, text="Any news?")
    answer = _beat(sam, conversation, message=marker["message"], state_marker=marker["state"])

    assert answer["new_messages"] is True
    assert answer["marker"]["message"] == message.pk
    assert answer["changed"] is False


def test_it_reports_assignment_and_status_changes(agent, teammate, conversation):
    sam = _client_for(agent)
    marker = _beat(sam, conversation)["marker"]

    assign_conversation(conversation, to=teammate, by=agent)
    after_assign = _beat(sam, conversation, message=marker["message"], state_marker=marker["state"])
    assert after_assign["changed"] is True
    assert after_assign["new_messages"] is False

    marker = after_assign["marker"]
    change_status(conversation, Conversation.Status.SOLVED, by=agent)
    assert (
        _beat(sam, conversation, message=marker["message"], state_marker=marker["state"])["changed"] is True
    )


def test_the_poll_answers_without_announcing_the_caller(agent, teammate, conversation):
    response = _client_for(teammate).get(reverse("live:poll", args=[conversation.number]))
    assert response.status_code == 200
    assert _beat(_client_for(agent), conversation)["others"] == []


def test_the_change_check_is_a_single_query(agent, conversation, django_assert_num_queries):
    add_reply(conversation, by=agent, text="On its way.")
    with django_assert_num_queries(1):
        marker = conversation_marker(conversation.pk)
    assert marker.message == conversation.messages.order_by("-id").first().pk


def test_the_partial_lists_others_and_warns_of_a_collision(agent, teammate, conversation):
    _beat(_client_for(teammate), conversation, state="replying")
    request = RequestFactory().get("/")
    request.user = agent
    template = engines["django"].from_string('{% include "live/_conversation_live.html" %}')

    html = template.render({"conversation": conversation}, request)

    assert 'role="status"' in html
    assert "Tess Teammate" in html
    assert "is replying to this conversation right now" in html
    assert 'role="alert"' in html
    assert f'data-message="{conversation_marker(conversation.pk).message}"' in html
    assert "Send anyway</button>" in html
    assert "Don&#x27;t send yet</button>" in html or "Don't send yet</button>" in html


def test_the_partial_says_when_nobody_else_is_here(agent, conversation):
    request = RequestFactory().get("/")
    request.user = agent
    html = (
        engines["django"]
        .from_string('{% include "live/_conversation_live.html" %}')
        .render({"conversation": conversation}, request)
    )
    assert "No one else is viewing this conversation." in html
    assert "data-live-collision></div>" in html
