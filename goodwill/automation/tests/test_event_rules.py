"""Event rules: they act on the event that triggers them, in order, once, and never loop."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from goodwill.automation.engine import on_event
from goodwill.automation.models import Rule, RuleEffect, RuleRun
from goodwill.automation.tests.conftest import make_rule
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_note, change_status, receive_message, set_priority
from goodwill.core.events import run_subscriber
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db

HANDLER = "goodwill.automation.subscribers.react"


def test_a_rule_acts_on_a_new_conversation_through_the_worker_and_its_changes_are_audited(opened, agent):
    rule = make_rule(
        "Refunds are urgent",
        conditions=[{"field": "text", "op": "contains", "value": "refund | money back"}],
        actions=[
            {"type": "set_priority", "value": "4"},
            {"type": "add_tags", "value": "refund"},
            {"type": "assign_agent", "value": agent.email},
            {"type": "add_note", "value": "Refund asked: check the order."},
        ],
    )
    conversation = opened(text="I want a refund for order 1234 please")
    assert conversation.priority == Conversation.Priority.URGENT
    assert conversation.assignee == agent
    assert list(conversation.tags.values_list("name", flat=True)) == ["refund"]
    note = conversation.messages.get(kind=Message.Kind.NOTE)
    assert "Refund asked" in note.text and "Refunds are urgent" in note.text
    run = RuleRun.objects.get(rule=rule)
    assert run.event.kind == Event.Kind.CONVERSATION_OPENED and run.error == ""
    assert len(run.actions) == 4
    # Every change the rule made is an audit event linked to the rule's run (and so its name).
    caused = Event.objects.filter(pk__in=RuleEffect.objects.filter(run=run).values("event"))
    assert set(caused.values_list("kind", flat=True)) == {
        Event.Kind.PRIORITY_CHANGED,
        Event.Kind.TAGS_CHANGED,
        Event.Kind.ASSIGNED,
        Event.Kind.NOTE_ADDED,
    }
    assert all(event.actor_id is None for event in caused)


def test_a_rule_whose_conditions_fail_does_nothing(opened):
    make_rule(
        "Refunds",
        conditions=[{"field": "text", "op": "contains", "value": "refund"}],
        actions=[{"type": "set_priority", "value": "4"}],
    )
    conversation = opened(text="Just a question about opening hours")
    assert conversation.priority == Conversation.Priority.NORMAL
    assert not RuleRun.objects.exists()


def test_a_switched_off_rule_and_a_rule_for_another_trigger_do_not_run(opened):
    make_rule("Off", is_active=False, actions=[{"type": "set_priority", "value": "4"}])
    make_rule(
        "On replies",
        triggers=[Rule.Trigger.CUSTOMER_REPLIED],
        actions=[{"type": "set_priority", "value": "3"}],
    )
    conversation = opened()
    assert conversation.priority == Conversation.Priority.NORMAL


def test_customer_replied_and_note_added_triggers(opened, customer, agent, worker):
    make_rule(
        "Reply reopens",
        triggers=[Rule.Trigger.CUSTOMER_REPLIED],
        actions=[{"type": "add_tags", "value": "replied"}],
    )
    make_rule(
        "Note",
        triggers=[Rule.Trigger.NOTE_ADDED],
        conditions=[{"field": "text", "op": "contains", "value": "zzz"}],  # customer text: never
        actions=[{"type": "add_tags", "value": "never"}],
    )
    make_rule(
        "Note urgent", triggers=[Rule.Trigger.NOTE_ADDED], actions=[{"type": "set_priority", "value": "3"}]
    )
    conversation = opened()
    with worker():
        receive_message(conversation, customer=customer, text="Any news?")
        add_note(conversation, by=agent, text="Looking into it")
    conversation.refresh_from_db()
    assert set(conversation.tags.values_list("name", flat=True)) == {"replied"}
    assert conversation.priority == Conversation.Priority.HIGH


def test_rules_run_in_their_order_and_each_sees_the_changes_before_it(opened):
    make_rule(
        "Second",
        position=2,
        conditions=[{"field": "priority", "op": "is", "value": "4"}],
        actions=[{"type": "add_tags", "value": "escalated"}],
    )
    make_rule("First", position=1, actions=[{"type": "set_priority", "value": "4"}])
    conversation = opened()
    assert set(conversation.tags.values_list("name", flat=True)) == {"escalated"}
    first, second = RuleRun.objects.order_by("pk")
    assert (first.rule.name, second.rule.name) == ("First", "Second")


def test_each_rule_runs_once_per_event_even_when_the_task_runs_twice(opened):
    rule = make_rule("Note once", actions=[{"type": "add_note", "value": "Hello team"}])
    conversation = opened()
    event = Event.objects.get(conversation=conversation, kind=Event.Kind.CONVERSATION_OPENED)
    run_subscriber.call(HANDLER, [event.pk])  # the seam's receipt stops it
    assert on_event(event) == []  # and so does the run row, even without a receipt
    assert RuleRun.objects.filter(rule=rule).count() == 1
    assert conversation.messages.filter(kind=Message.Kind.NOTE).count() == 1


def test_two_rules_that_undo_each_other_settle_instead_of_looping(opened, agent, worker):
    updated = [Rule.Trigger.UPDATED]
    up = make_rule(
        "Up",
        position=1,
        triggers=updated,
        conditions=[{"field": "priority", "op": "is", "value": "1"}],
        actions=[{"type": "set_priority", "value": "4"}],
    )
    down = make_rule(
        "Down",
        position=2,
        triggers=updated,
        conditions=[{"field": "priority", "op": "is", "value": "4"}],
        actions=[{"type": "set_priority", "value": "1"}],
    )
    conversation = opened()
    with worker():
        set_priority(conversation, Conversation.Priority.LOW, by=agent)  # a person's change
    # On the person's event Up raises it and Down, seeing that, lowers it. Up's own event finds
    # nothing for Down to do; Down's event runs Up again (Up did not cause it), and Up's second
    # change was caused by Down and Up: both are in its chain, so nothing runs on it. Settled.
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.URGENT
    assert RuleRun.objects.filter(rule=down).count() == 1
    assert list(RuleRun.objects.filter(rule=up).order_by("pk").values_list("chain", flat=True)) == [
        [],
        [down.pk],
    ]
    last = Event.objects.filter(conversation=conversation, kind=Event.Kind.PRIORITY_CHANGED).latest("pk")
    from goodwill.automation.engine import chain_of

    assert chain_of(last) == [down.pk, up.pk]
    assert on_event(last) == []
    assert DBTaskResult.objects.filter(status="READY").count() == 0


def test_a_rule_does_not_trigger_itself(opened, agent, worker):
    rule = make_rule(
        "Tag on update",
        triggers=[Rule.Trigger.UPDATED],
        actions=[{"type": "add_tags", "value": "touched"}, {"type": "set_priority", "value": "3"}],
    )
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.PENDING, by=agent)
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_an_action_that_cannot_run_is_logged_and_the_others_still_run(opened, agent):
    rule = make_rule(
        "Assign",
        actions=[{"type": "assign_agent", "value": agent.email}, {"type": "set_priority", "value": "3"}],
    )
    agent.is_active = False
    agent.save()
    conversation = opened()
    run = RuleRun.objects.get(rule=rule)
    assert "failed" in run.error and conversation.assignee is None
    assert conversation.priority == Conversation.Priority.HIGH
