"""Time rules: checked by the periodic job, each fires once per conversation per episode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.automation.engine import run_time_rules
from goodwill.automation.models import Rule, RuleRun
from goodwill.automation.tests.conftest import make_rule
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import change_status

pytestmark = pytest.mark.django_db

FIVE_DAYS = str(5 * 24)


@pytest.fixture
def pending_rule(db):  # type: ignore[no-untyped-def]
    return make_rule(
        "Pending for 5 days",
        kind=Rule.Kind.TIME,
        triggers=[],
        conditions=[
            {"field": "status", "op": "is", "value": "pending"},
            {"field": "hours_since_status", "op": "more_than", "value": FIVE_DAYS},
        ],
        actions=[
            {"type": "add_note", "value": "Closing: no answer for 5 days."},
            {"type": "set_status", "value": "solved"},
        ],
    )


def test_a_conversation_pending_for_five_days_is_solved_with_a_note_once(pending_rule, opened, agent, worker):
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.PENDING, by=agent)
    assert run_time_rules(timezone.now() + timedelta(days=4)) == "nothing to do"
    later = timezone.now() + timedelta(days=5, hours=1)
    assert run_time_rules(later) == "Pending for 5 days: 1"
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.SOLVED
    assert conversation.messages.filter(kind=Message.Kind.NOTE).count() == 1
    assert run_time_rules(later) == "nothing to do"  # idempotent sweep
    run = RuleRun.objects.get(rule=pending_rule)
    assert run.event is None and not run.error


def test_it_fires_again_only_in_a_new_episode(opened, agent, worker):
    rule = make_rule(
        "Waiting a day",
        kind=Rule.Kind.TIME,
        triggers=[],
        conditions=[
            {"field": "status", "op": "is", "value": "new"},
            {"field": "hours_since_created", "op": "more_than", "value": "24"},
        ],
        actions=[{"type": "add_tags", "value": "waiting"}],  # the conditions still hold after it acts
    )
    conversation = opened()
    day_later = timezone.now() + timedelta(hours=25)
    assert run_time_rules(day_later) == "Waiting a day: 1"
    assert run_time_rules(day_later + timedelta(hours=1)) == "nothing to do"  # same episode
    with worker():
        change_status(conversation, Conversation.Status.OPEN, by=agent)  # conditions stop holding
    assert run_time_rules(day_later + timedelta(hours=2)) == "nothing to do"
    assert not RuleRun.objects.filter(rule=rule, open_episode=True).exists()
    with worker():
        change_status(conversation, Conversation.Status.NEW, by=agent)  # and hold again
    assert run_time_rules(day_later + timedelta(hours=3)) == "Waiting a day: 1"
    assert RuleRun.objects.filter(rule=rule).count() == 2


def test_a_switched_off_time_rule_and_closed_conversations_are_left_alone(
    pending_rule, opened, agent, worker
):
    pending_rule.is_active = False
    pending_rule.save()
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.PENDING, by=agent)
    assert run_time_rules(timezone.now() + timedelta(days=6)) == "nothing to do"
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.PENDING
