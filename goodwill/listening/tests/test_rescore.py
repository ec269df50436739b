"""`goodwill rescore`: stored customer messages read again with the current model, resumably."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from goodwill.conversations.models import Message
from goodwill.conversations.services import add_reply, open_conversation, receive_message
from goodwill.listening.engine import MODEL_VERSION
from goodwill.listening.models import ConversationMood, MessageScore
from goodwill.listening.services import rescore

pytestmark = pytest.mark.django_db

ANGRY = "Third time asking. Still broken, nobody answers, I'm furious and fed up!"


@pytest.fixture
def messages(customer, agent):  # type: ignore[no-untyped-def]
    """Five customer messages (none scored: the worker never ran) and one reply."""
    old = timezone.now() - timedelta(days=30)
    conversation, first = open_conversation(
        customer=customer, subject="Order", channel="email", text="Where is my order?", at=old
    )
    later = [
        receive_message(conversation, customer=customer, text=ANGRY, at=old + timedelta(days=index + 10))
        for index in range(4)
    ]
    add_reply(conversation, by=agent, text="Sorry, this is awful and we failed you.")
    return [first, *later]


def test_it_scores_every_inbound_message_and_no_reply(messages):
    report = rescore(batch_size=2)
    assert report.rescored == 5 == report.remaining_before
    assert sorted(MessageScore.objects.values_list("message_id", flat=True)) == [m.pk for m in messages]
    assert not MessageScore.objects.filter(message__direction=Message.Direction.OUTBOUND).exists()
    mood = ConversationMood.objects.get(conversation_id=messages[0].conversation_id)
    assert mood.message_id == messages[-1].pk and mood.sentiment is not None and mood.sentiment < 0


def test_an_interrupted_run_resumes_where_it_stopped(messages):
    def stop_after_first_batch(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rescore(batch_size=2, progress=stop_after_first_batch)
    assert MessageScore.objects.count() == 2
    report = rescore(batch_size=2)
    assert report.rescored == 3
    assert MessageScore.objects.count() == 5
    assert rescore().rescored == 0


def test_scores_from_another_model_version_are_replaced(messages):
    rescore()
    MessageScore.objects.filter(message=messages[1]).update(model_version="older-rules", sentiment=0.9)
    assert rescore().rescored == 1
    score = MessageScore.objects.get(message=messages[1])
    assert score.model_version == MODEL_VERSION and score.sentiment is not None and score.sentiment < 0
    assert MessageScore.objects.count() == 5


def test_the_command_reads_only_messages_since_a_date_and_says_how_many(messages):
    since = messages[3].created_at.date().isoformat()
    out = StringIO()
    call_command("rescore", "--since", since, stdout=out)
    assert sorted(MessageScore.objects.values_list("message_id", flat=True)) == [
        messages[3].pk,
        messages[4].pk,
    ]
    assert "Rescored 2 messages" in out.getvalue()
    out = StringIO()
    call_command("rescore", stdout=out)
    assert "Rescored 3 messages" in out.getvalue()


def test_the_command_refuses_a_date_it_cannot_read(messages):
    with pytest.raises(CommandError):
        call_command("rescore", "--since", "last tuesday", stdout=StringIO())
