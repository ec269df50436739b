"""Mood as an inbox sort ("Most upset first") that saved views keep, paged by cursor."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db.models import Q

from goodwill.conversations.models import SavedView
from goodwill.conversations.selectors import inbox_page
from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.listening.models import ABUSIVE_ORDER, ConversationMood
from goodwill.listening.services import score_message

pytestmark = pytest.mark.django_db

TEXTS = {
    "Calm one": "Hello, could you tell me when the shop opens on Saturday? Thanks.",
    "Abusive one": "You people are useless idiots.",
    "Angry one": "This is the THIRD time I'm writing. Still broken and nobody answers. I'm furious!",
    "Annoyed one": "My parcel still hasn't arrived and it's been two weeks.",
    "Happy one": "Thank you so much, that fixed it, you are brilliant!",
}


@pytest.fixture
def conversations(customer, support_team):  # type: ignore[no-untyped-def]
    cache.clear()
    made = {}
    for subject, text in TEXTS.items():
        conversation = make_conversation(customer=customer, team=support_team, subject=subject, text="Hi")
        score_message(receive_message(conversation, customer=customer, text=text))
        made[subject] = conversation
    make_conversation(customer=customer, team=support_team, subject="Unscored one", text="Hi")
    return made


def subjects_in(page: str) -> list[str]:
    return [s for s in re.findall(r"(\w+ one)", page) if s in TEXTS or s == "Unscored one"]


def expected_order(conversations) -> list[str]:  # type: ignore[no-untyped-def]
    moods = {m.conversation_id: m for m in ConversationMood.objects.all()}
    keyed = sorted(conversations, key=lambda s: (moods[conversations[s].pk].upset_order, conversations[s].pk))
    return keyed


def test_most_upset_first_puts_abuse_first_then_the_lowest_sentiment(
    client, agent, conversations, django_assert_max_num_queries
):
    order = expected_order(conversations)
    assert order[0] == "Abusive one" and order[-1] in {"Happy one", "Calm one"}
    assert (
        ConversationMood.objects.get(conversation=conversations["Abusive one"]).upset_order == ABUSIVE_ORDER
    )
    client.force_login(agent)
    page = client.get("/", {"view": "open", "sort": "mood"}).content.decode()
    assert 'value="mood"' in page and "Most upset first (mood)" in page
    shown = [s for s in dict.fromkeys(subjects_in(page))]
    assert shown == order  # the conversation with no scored message is not in this sort
    with django_assert_max_num_queries(25):
        client.get("/", {"view": "open", "sort": "mood"})


def test_pages_of_the_mood_sort_follow_on_by_cursor(agent, conversations):
    order = expected_order(conversations)
    seen: list[str] = []
    cursor = ""
    while True:
        page = inbox_page(agent, where=Q(), sort="mood", cursor=cursor, size=2)
        seen += [row.subject for row in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == order


def test_a_saved_view_keeps_the_mood_sort(client, agent, conversations, support_team):
    client.force_login(agent)
    client.post("/views/", {"name": "Upset first", "sort": "mood", "team": str(support_team.pk)})
    view = SavedView.objects.get(name="Upset first")
    assert view.sort == "mood"
    page = client.get("/", {"saved": view.pk}).content.decode()
    assert [s for s in dict.fromkeys(subjects_in(page))] == expected_order(conversations)


def test_the_upset_view_lists_upset_and_abusive_conversations(client, agent, conversations):
    client.force_login(agent)
    page = client.get("/", {"view": "upset"}).content.decode()
    shown = set(subjects_in(page))
    upset = {
        s
        for s, c in conversations.items()
        if ConversationMood.objects.get(conversation=c).upset_order <= -0.3
    }
    assert "Abusive one" in upset and "Calm one" not in upset
    assert shown == upset
