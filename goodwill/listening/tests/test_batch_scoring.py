"""The scoring subscriber's batch form: many messages scored in one transaction, with the same
rows as scoring them one by one, and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from goodwill.conversations.models import Message
from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import handled, run_subscriber, subscribed
from goodwill.core.models import Event
from goodwill.listening.models import ConversationMood, MessageScore, MoodTurn
from goodwill.listening.services import score_message, score_messages

pytestmark = pytest.mark.django_db

PATH = "goodwill.listening.subscribers.score_message"
CALM = "Hello, could you tell me when the shop opens on Saturday? Thanks."
ANGRY = "This is the THIRD time I'm writing. Still broken and nobody answers. I'm furious!"
TEXTS = [CALM, ANGRY, "Thanks so much, that fixed it!", CALM, ANGRY, "Where is my refund?"]


def conversations_with_messages(customer, team, count):  # type: ignore[no-untyped-def]
    with subscribed({}):
        conversations = [make_conversation(customer=customer, team=team, text="Hi") for _ in range(count)]
        messages = [
            receive_message(conversation, customer=customer, text=text)
            for conversation in conversations
            for text in TEXTS
        ]
    return conversations, messages


def readings() -> tuple[list[tuple], list[tuple], list[tuple]]:
    scores = sorted(MessageScore.objects.values_list("message_id", "sentiment", "mood", "abusive", "cues"))
    moods = sorted(ConversationMood.objects.values_list("conversation_id", "message_id", "sentiment", "mood"))
    turns = sorted(MoodTurn.objects.values_list("conversation_id", "message_id", "previous_id"))
    return scores, moods, turns


def test_a_batch_stores_what_scoring_one_by_one_stores(customer, support_team):
    _, messages = conversations_with_messages(customer, support_team, 3)
    now = timezone.now()
    for message in messages:
        score_message(message, now=now)
    one_by_one = readings()
    assert one_by_one[2], "the calm-then-angry texts make turns"
    MessageScore.objects.all().delete()
    ConversationMood.objects.all().delete()
    MoodTurn.objects.all().delete()
    score_messages(list(reversed(messages)), now=now)  # any order in, arrival order applied
    assert readings() == one_by_one
    score_messages(messages, now=now)  # scored again: replaced, nothing doubled
    assert readings() == one_by_one


def test_a_batch_after_earlier_scores_finds_the_turn_from_the_stored_mood(customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team, text="Hi")
    with subscribed({}):
        calm = receive_message(conversation, customer=customer, text=CALM)
        score_message(calm)
        angry = receive_message(conversation, customer=customer, text=ANGRY)
        later = receive_message(conversation, customer=customer, text=CALM)
    score_messages([angry, later])
    turn = MoodTurn.objects.get()
    assert (turn.message_id, turn.previous_id) == (angry.pk, calm.pk)
    assert ConversationMood.objects.get(conversation=conversation).message_id == later.pk


def test_a_newer_stored_mood_is_kept(customer, support_team):
    conversation = make_conversation(customer=customer, team=support_team, text="Hi")
    with subscribed({}):
        older = receive_message(conversation, customer=customer, text=ANGRY)
        newer = receive_message(conversation, customer=customer, text=CALM)
    score_message(newer)
    score_messages([older])
    assert ConversationMood.objects.get(conversation=conversation).message_id == newer.pk


def test_the_subscriber_scores_a_batch_of_events_once_in_few_queries(
    customer, support_team, django_assert_max_num_queries
):
    conversations, messages = conversations_with_messages(customer, support_team, 4)
    events = Event.objects.filter(
        conversation__in=conversations,
        kind__in=[Event.Kind.MESSAGE_RECEIVED, Event.Kind.CONVERSATION_OPENED],
    )
    kinds = list(events.values_list("kind", flat=True))
    assert kinds.count(Event.Kind.MESSAGE_RECEIVED) == len(messages)
    ids = [event.pk for event in events]
    # Constant in the batch's size: events, receipts (read, insert), messages (2), scores,
    # moods (read, insert, read back), turns, savepoints; and for the turns for the worse, the
    # known ones, the stored ones read back, their customers and one insert of their events.
    with django_assert_max_num_queries(18):
        run_subscriber.call(PATH, ids)
    assert all(handled(PATH, pk) for pk in ids)
    inbound = Message.objects.filter(direction=Message.Direction.INBOUND, conversation__in=conversations)
    assert MessageScore.objects.count() == inbound.count() == len(messages) + len(conversations)
    assert MoodTurn.objects.count() == len(conversations) * 2  # calm → angry, twice each
    before = readings()
    run_subscriber.call(PATH, ids)  # a retry or a second worker with the same batch
    assert readings() == before
