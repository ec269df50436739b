"""The "Bad feedback" inbox view: conversations whose survey answer waits for a follow-up, newest
activity first, read from the conversation's own flag through its partial index."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import change_status
from goodwill.conversations.tests.factories import make_conversation, view_subjects
from goodwill.core.models import Event
from goodwill.core.testing import query_plan
from goodwill.voice import services
from goodwill.voice.models import Survey

pytestmark = pytest.mark.django_db


def surveyed(subject: str, agent, minutes_ago: int) -> Conversation:  # type: ignore[no-untyped-def]
    """A solved conversation whose last message was `minutes_ago`, with its survey planned."""
    conversation = make_conversation(subject=subject, assignee=agent)
    change_status(conversation, "solved", by=agent)
    services.plan_survey(
        Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return conversation


def bad_feedback_subjects(agent) -> list[str]:  # type: ignore[no-untyped-def]
    return view_subjects(agent, "bad-feedback")


def test_it_lists_answers_waiting_for_a_follow_up_newest_activity_first(agent):
    older = surveyed("Older bad", agent, 50)
    newer = surveyed("Newer bad", agent, 5)
    happy = surveyed("Happy", agent, 1)
    followed = surveyed("Followed up", agent, 20)
    middle = surveyed("Middle bad", agent, 30)
    for conversation in (older, newer, followed, middle):
        services.record_answer(Survey.objects.get(conversation=conversation), conduct=2)
    services.record_answer(Survey.objects.get(conversation=happy), outcome="yes", conduct=5)
    services.mark_followed_up(Survey.objects.get(conversation=followed), by=agent)

    assert bad_feedback_subjects(agent) == ["Newer bad", "Middle bad", "Older bad"]
    flagged = Conversation.objects.filter(feedback_follow_up=True).values_list("subject", flat=True)
    assert sorted(flagged) == ["Middle bad", "Newer bad", "Older bad"]


def test_a_changed_answer_moves_the_conversation_in_or_out(agent):
    conversation = surveyed("Changed mind", agent, 5)
    survey = Survey.objects.get(conversation=conversation)
    services.record_answer(survey, outcome="no")
    assert bad_feedback_subjects(agent) == ["Changed mind"]
    services.record_answer(survey, outcome="yes", conduct=5)
    assert bad_feedback_subjects(agent) == []
    services.record_answer(survey, conduct=1)
    assert bad_feedback_subjects(agent) == ["Changed mind"]


def test_the_page_walks_the_follow_up_index(agent, client):
    """A page reads conv_follow_up_recent in sort order. With sorts and full scans priced out, as
    the test's few rows would otherwise make any plan cheap, the database can only take it if the
    query's condition matches the index's."""
    services.record_answer(Survey.objects.get(conversation=surveyed("Bad one", agent, 5)), conduct=1)
    client.force_login(agent)
    with CaptureQueriesContext(connection) as captured:
        assert "Bad one" in client.get("/?view=bad-feedback").content.decode()
    [page_sql] = [q["sql"] for q in captured.captured_queries if '"feedback_follow_up"' in q["sql"]]
    assert "conv_follow_up_recent" in query_plan(page_sql)
