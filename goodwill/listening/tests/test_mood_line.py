"""The mood line across a conversation and a customer's history, and the sharp-turn flag."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.test import RequestFactory

from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.listening.models import MoodTurn
from goodwill.listening.panels import customer_mood_panel, mood_line
from goodwill.listening.services import rescore, score_message

pytestmark = pytest.mark.django_db

CALM = "Hello, could you tell me when the shop opens on Saturday? Thanks."
ANGRY = "This is the THIRD time I'm writing. Still broken and nobody answers. I'm furious!"


def say(conversation, text):  # type: ignore[no-untyped-def]
    message = receive_message(conversation, customer=conversation.customer, text=text)
    score_message(message)
    return message


def test_a_calm_then_furious_conversation_records_one_turn(client, agent, customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team, text="Hi")
    calm = say(conversation, CALM)
    angry = say(conversation, ANGRY)
    turn = MoodTurn.objects.get()
    assert (turn.conversation, turn.message, turn.previous) == (conversation, angry, calm)
    assert turn.from_sentiment >= 0 and turn.to_sentiment <= -0.5
    score_message(angry)  # retried
    rescore()
    assert MoodTurn.objects.count() == 1
    client.force_login(agent)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert "Turned for the worse" in page and f'href="#m{angry.pk}"' in page
    assert '<svg role="img" aria-label="' in page
    rows = client.get("/", {"view": "open"}).content.decode()
    assert "turned worse" in rows


def test_staying_upset_is_not_a_turn(customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team, text="Hi")
    say(conversation, ANGRY)
    say(conversation, ANGRY)
    assert not MoodTurn.objects.exists()


def test_the_sparkline_runs_from_upset_at_the_bottom_to_happy_at_the_top():
    from datetime import datetime

    at = datetime(2026, 12, 1, tzinfo=UTC)
    line = mood_line([(1, at, -1.0, "angry"), (2, at, 1.0, "happy")])
    assert line is not None
    assert [p.y for p in line.points] == [44.0, 4.0] and [p.x for p in line.points] == [4.0, 236.0]
    assert "first upset" in line.summary and "latest happy" in line.summary
    assert mood_line([]) is None


def test_the_customer_panel_reads_across_conversations(customer, support_team, django_assert_max_num_queries):
    for _ in range(3):
        conversation = make_conversation(customer=customer, team=support_team, text="Hi")
        say(conversation, CALM)
        say(conversation, ANGRY)
    request = RequestFactory().get("/")
    with django_assert_max_num_queries(3):
        panel = customer_mood_panel(request, customer)
    assert panel is not None and panel.template == "listening/_customer_mood.html"
    assert len(panel.context["line"].points) == 6 and panel.context["turns"] == 3
    from django.template.loader import render_to_string

    html = render_to_string(panel.template, {"panel": panel.context})
    assert "6 customer messages scored" in html and "3 conversations" in html


def test_mood_is_an_inbox_filter_a_saved_view_keeps(client, agent, customer, support_team):
    from django.core.cache import cache

    from goodwill.conversations.models import SavedView

    cache.clear()
    calm = make_conversation(customer=customer, team=support_team, subject="Calm one", text="Hi")
    say(calm, CALM)
    turned = make_conversation(customer=customer, team=support_team, subject="Turned one", text="Hi")
    say(turned, CALM)
    say(turned, ANGRY)
    client.force_login(agent)
    page = client.get("/", {"view": "open", "mood": "turned"}).content.decode()
    assert 'name="mood"' in page and "Turned one" in page and "Calm one" not in page
    page = client.get("/", {"view": "open", "mood": "calm"}).content.decode()
    assert "Calm one" in page and "Turned one" not in page
    client.post("/views/", {"name": "Upset", "mood": "upset", "sort": "recent"})
    view = SavedView.objects.get(name="Upset")
    assert view.filters == {"mood": "upset"}
    page = client.get("/", {"saved": view.pk}).content.decode()
    assert "Turned one" in page and "Calm one" not in page
