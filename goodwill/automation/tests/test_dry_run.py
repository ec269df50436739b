"""“What would this do?”: a rule evaluated against a past conversation, changing nothing."""

from __future__ import annotations

import pytest

from goodwill.automation.engine import dry_run
from goodwill.automation.models import Rule, RuleRun
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


def test_it_shows_which_conditions_match_and_what_would_run_without_changing_anything(opened, agent):
    conversation = opened(text="I want my money back")
    rule = Rule(
        name="Refunds",
        triggers=[Rule.Trigger.CREATED],
        conditions=[
            {"field": "text", "op": "contains", "value": "money back"},
            {"field": "channel", "op": "is", "value": "email"},
            {"field": "priority", "op": "is", "value": "4"},
        ],
        actions=[
            {"type": "set_priority", "value": "4"},
            {"type": "assign_agent", "value": "nobody@example.com"},
        ],
    )
    events_before = Event.objects.count()
    result = dry_run(rule, conversation)
    assert [outcome.matched for outcome in result.outcomes] == [True, True, False]
    assert result.outcomes[2].actual == "2"
    assert not result.matched
    assert result.actions[0] == ("Set priority: 4", "")
    assert "No active agent" in result.actions[1][1]
    assert "a conversation is created" in result.trigger_note
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.NORMAL
    assert Event.objects.count() == events_before and not RuleRun.objects.exists()


def test_any_match_needs_one_condition(opened):
    conversation = opened()
    rule = Rule(
        name="Any",
        match=Rule.Match.ANY,
        conditions=[
            {"field": "status", "op": "is", "value": "solved"},
            {"field": "subject", "op": "contains", "value": "order"},
        ],
    )
    assert dry_run(rule, conversation).matched
