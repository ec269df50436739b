"""A scored batch's follow-ups read once for the batch: repeated abuse and the customer's
previous message give what scoring one by one gives, in a number of queries that does not
grow with the batch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goodwill.accounts.models import Notification, TeamMembership
from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.listening.models import ConversationMood, MessageScore, MoodTurn
from goodwill.listening.services import score_message, score_messages
from goodwill.listening.turns import notify_repeated_abuse_many

pytestmark = pytest.mark.django_db

ABUSIVE = "You people are a bunch of incompetent clowns."
CALM = "Hello, could you tell me when the shop opens on Saturday? Thanks."
ANGRY = "This is the THIRD time I'm writing. Still broken and nobody answers. I'm furious!"


def abusive_messages(customer, team, count):  # type: ignore[no-untyped-def]
    with subscribed({}):
        return [
            receive_message(
                make_conversation(customer=customer, team=team, text="Hi"), customer=customer, text=ABUSIVE
            )
            for _ in range(count)
        ]


def notices() -> list[tuple]:
    return sorted(Notification.objects.values_list("agent_id", "key", "title", "body", "url"))


def test_repeated_abuse_in_one_batch_tells_the_lead_what_one_by_one_tells(teammate, customer, support_team):
    TeamMembership.objects.filter(agent=teammate).update(is_lead=True)
    messages = abusive_messages(customer, support_team, 4)
    for message in messages:
        score_message(message)
    one_by_one = notices()
    assert len(one_by_one) == 1 and one_by_one[0][0] == teammate.pk
    Notification.objects.all().delete()
    MessageScore.objects.all().delete()
    score_messages(messages)
    assert notices() == one_by_one
    score_messages(messages)  # a retried batch: nothing new
    assert notices() == one_by_one


def test_the_repeated_abuse_check_reads_as_much_for_two_messages_as_for_six(teammate, customer, support_team):
    TeamMembership.objects.filter(agent=teammate).update(is_lead=True)
    messages = abusive_messages(customer, support_team, 6)
    score_messages(messages)
    pairs = [(message, MessageScore.objects.get(message=message)) for message in messages]
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            notify_repeated_abuse_many(pairs[:size])
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_batch_finds_each_turn_from_earlier_scores_when_no_mood_is_stored(customer, support_team):
    conversations = [make_conversation(customer=customer, team=support_team, text="Hi") for _ in range(3)]
    with subscribed({}):
        calm = [receive_message(c, customer=customer, text=CALM) for c in conversations]
        angry = [receive_message(c, customer=customer, text=ANGRY) for c in conversations]
    for message in calm:
        score_message(message)
    counts = []
    for batch in (angry[:1], angry):
        ConversationMood.objects.all().delete()  # e.g. scored before moods were kept
        MoodTurn.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            score_messages(batch)
        counts.append(len(queries))
    assert sorted(MoodTurn.objects.values_list("message_id", "previous_id")) == sorted(
        (a.pk, c.pk) for a, c in zip(angry, calm, strict=True)
    )
    assert counts[0] == counts[1]
