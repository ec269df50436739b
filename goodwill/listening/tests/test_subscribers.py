"""Every customer message is scored once, in the worker, through the event seam."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.conversations.models import Message
from goodwill.conversations.services import (
    InboundMessage,
    add_note,
    add_reply,
    open_conversation,
    receive_message,
    receive_messages_in_bulk,
)
from goodwill.core.events import run_subscriber
from goodwill.listening.engine import MODEL_VERSION
from goodwill.listening.models import ConversationMood, MessageScore

pytestmark = pytest.mark.django_db

ANGRY = "This is the THIRD time I'm writing. My order still hasn't arrived and nobody answers. I'm furious!"
CALM = "Hello, could you tell me when the shop opens on Saturday? Thanks."


def run_queued_subscribers() -> int:
    """Run every queued subscriber task as the worker would; how many ran."""
    tasks = list(
        DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by("enqueued_at")
    )
    for task in tasks:
        run_subscriber.call(*task.args_kwargs["args"])
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
    return len(tasks)


@pytest.fixture
def conversation(customer, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        conversation, _ = open_conversation(customer=customer, subject="Order", channel="email", text=CALM)
    run_queued_subscribers()
    return conversation


def test_an_angry_customer_message_is_scored_once_in_the_worker(
    conversation, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = receive_message(conversation, customer=customer, text=ANGRY)
    assert not MessageScore.objects.filter(message=message).exists()  # not on the intake path
    run_queued_subscribers()
    score = MessageScore.objects.get(message=message)
    assert score.scored and score.language == "en"
    assert score.sentiment is not None and score.sentiment < -0.3
    assert score.polarity == "neg"
    assert score.mood in {"angry", "frustrated", "upset"}
    assert score.model_version == MODEL_VERSION
    mood = ConversationMood.objects.get(conversation=conversation)
    assert (mood.message_id, mood.mood) == (message.pk, score.mood)


def test_the_first_message_of_a_new_conversation_is_scored(conversation):
    first = Message.objects.get(conversation=conversation)
    score = MessageScore.objects.get(message=first)
    assert score.polarity != "neg" and score.mood == ""


def test_replies_and_notes_are_not_scored(conversation, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = add_reply(conversation, by=agent, text="I'm so sorry, this is terrible, we failed you.")
        note = add_note(conversation, by=agent, text="Customer is furious, awful situation.")
    run_queued_subscribers()
    assert not MessageScore.objects.filter(message__in=[reply, note]).exists()
    assert MessageScore.objects.count() == 1  # the customer's first message only


def test_running_the_same_events_again_does_not_duplicate_scores(
    conversation, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = receive_message(conversation, customer=customer, text=ANGRY)
    tasks = [
        task.args_kwargs["args"] for task in DBTaskResult.objects.filter(task_path__endswith="run_subscriber")
    ]
    run_queued_subscribers()
    for args in tasks:  # a retry, or a second worker, with the same batch
        run_subscriber.call(*args)
    assert MessageScore.objects.filter(message=message).count() == 1
    assert ConversationMood.objects.filter(conversation=conversation).count() == 1


def test_messages_taken_in_by_the_bulk_intake_are_all_scored(customer, django_capture_on_commit_callbacks):
    now = timezone.now()
    items = [
        InboundMessage(customer=customer, channel="email", at=now, text=CALM, subject="Hours"),
        InboundMessage(customer=customer, channel="email", at=now, text=ANGRY, follows=0),
        InboundMessage(
            customer=customer, channel="chat", at=now, text="You people are useless idiots.", subject="x"
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        results = receive_messages_in_bulk(items)
    run_queued_subscribers()
    scores = {score.message_id: score for score in MessageScore.objects.all()}
    assert sorted(scores) == sorted(message.pk for _, message, _ in results)
    first, second, third = (scores[message.pk] for _, message, _ in results)
    assert first.mood == "" and second.polarity == "neg"
    assert third.abusive and third.abuse_triggers and third.mood == "abusive"
    # the conversation's mood follows its latest inbound message
    assert ConversationMood.objects.get(conversation=results[0][0]).message_id == results[1][1].pk


def test_a_message_not_in_a_scored_language_is_stored_as_not_scored(
    conversation, customer, django_capture_on_commit_callbacks
):
    text = "Hallo, meine Bestellung ist immer noch nicht angekommen. Können Sie bitte nachsehen?"
    with django_capture_on_commit_callbacks(execute=True):
        message = receive_message(conversation, customer=customer, text=text)
    run_queued_subscribers()
    score = MessageScore.objects.get(message=message)
    assert not score.scored and score.reason and score.sentiment is None and score.mood == ""
