"""The job that stores each answer's first return: new conversations and posted returns after
answering count, earlier ones do not, the earliest wins, and each row is read once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.voice.models import ReturnEvent, Survey
from goodwill.voice.returns import refresh_returns

pytestmark = pytest.mark.django_db


def opened(customer, *, days_ago):  # type: ignore[no-untyped-def]
    conversation = open_conversation(customer=customer, subject="again", text="t", channel="email")[0]
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return conversation


def test_the_first_return_after_answering_is_stored(customer):
    first = opened(customer, days_ago=60)
    at = timezone.now() - timedelta(days=50)
    survey = Survey.objects.create(
        conversation=first, customer=customer, send_after=at, answered_at=at, outcome="yes", conduct=5
    )
    opened(customer, days_ago=55)  # before answering: does not count
    refresh_returns()
    assert Survey.objects.get().came_back_after is None
    opened(customer, days_ago=20)
    refresh_returns()
    assert Survey.objects.get(pk=survey.pk).came_back_after == pytest.approx(
        timedelta(days=30), abs=timedelta(1)
    )
    # An imported conversation and a backdated return, both earlier than the stored one: the earliest wins.
    opened(customer, days_ago=35)
    refresh_returns()
    assert Survey.objects.get().came_back_after == pytest.approx(timedelta(days=15), abs=timedelta(seconds=5))
    ReturnEvent.objects.create(customer=customer, at=at + timedelta(days=2))
    assert refresh_returns() == "1 conversations and returns read, 1 answers recomputed"
    assert Survey.objects.get().came_back_after == pytest.approx(timedelta(days=2), abs=timedelta(seconds=5))
    assert refresh_returns() == ""


def test_unanswered_surveys_are_left_alone(customer):
    first = opened(customer, days_ago=60)
    Survey.objects.create(conversation=first, customer=customer, send_after=timezone.now())
    opened(customer, days_ago=1)
    assert refresh_returns() == ""
    assert Survey.objects.get().came_back_after is None
