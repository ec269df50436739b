"""Sending the reply links its confirmed promises, through the event seam, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.conversations.services import add_reply, set_team
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import run_subscriber, subscribed
from goodwill.promises.models import Promise
from goodwill.promises.services import confirm_promise

pytestmark = pytest.mark.django_db

PATH = "goodwill.promises.subscribers.link_promises_to_reply"


def run_queued_subscribers() -> list[list]:
    tasks = list(
        DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by("enqueued_at")
    )
    for task in tasks:
        run_subscriber.call(*task.args_kwargs["args"])
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
    return [task.args_kwargs["args"] for task in tasks]


def test_message_replied_links_the_promise_once(customer, agent, django_capture_on_commit_callbacks):
    with subscribed({}):
        conversation = make_conversation(customer=customer)
    promise = confirm_promise(
        conversation, by=agent, text="I'll call you back tomorrow.", due_at=timezone.now() + timedelta(days=1)
    )
    with subscribed({"message.replied": (PATH,)}):
        with django_capture_on_commit_callbacks(execute=True):
            reply = add_reply(conversation, by=agent, text="Hi Carla, I'll call you back tomorrow. Sam")
        ran = run_queued_subscribers()
        assert ran and ran[0][0] == PATH
        assert Promise.objects.get(pk=promise.pk).message == reply
        run_subscriber.call(*ran[0])  # a duplicate delivery changes nothing
    assert Promise.objects.get(pk=promise.pk).message == reply


def test_promises_carry_their_conversations_team_and_follow_it(
    customer, agent, support_team, billing_team, django_capture_on_commit_callbacks
):
    with subscribed({}):
        conversation = make_conversation(customer=customer, team=support_team)
    promise = confirm_promise(conversation, by=agent, text="I'll call you back tomorrow.", due_at=None)
    assert promise.team == support_team
    moves = "goodwill.promises.subscribers.follow_conversation_team"
    with subscribed({"conversation.team": (moves,)}):
        with django_capture_on_commit_callbacks(execute=True):
            set_team(conversation, billing_team, by=None)
        ran = run_queued_subscribers()
    assert [args[0] for args in ran] == [moves]
    assert Promise.objects.get(pk=promise.pk).team == billing_team
    run_subscriber.call(*ran[0])  # again: nothing changes
    assert Promise.objects.get(pk=promise.pk).team == billing_team
    with subscribed({"conversation.team": (moves,)}):
        with django_capture_on_commit_callbacks(execute=True):
            set_team(conversation, None, by=None)
        run_queued_subscribers()
    assert Promise.objects.get(pk=promise.pk).team is None
