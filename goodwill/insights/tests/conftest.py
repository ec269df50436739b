"""A small crafted service history: channels, needs, teams, an organisation, a colleague, replies,
solved conversations, SLA clocks and scored customer messages, all through the real services with
the subscribers that feed insights (listening, SLA clocks, insights itself) run after each commit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from goodwill.accounts.models import Agent, Team, TeamMembership
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import add_reply, change_status, receive_message, set_need
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import run_subscriber, subscribed
from goodwill.customers.models import Customer, Organisation
from goodwill.customers.services import create_customer
from goodwill.expectations.models import Schedule, SlaPolicy
from goodwill.insights.registry import Filters

INSIGHTS = "goodwill.insights.subscribers.refresh_figures"
SLA = "goodwill.expectations.subscribers.follow_conversation"
SCORE = "goodwill.listening.subscribers.score_message"
FEEDING = {
    "conversation.opened": (SCORE, SLA, INSIGHTS),
    "message.received": (SCORE, SLA, INSIGHTS),
    "message.replied": (SLA, INSIGHTS),
    "conversation.status": (SLA, INSIGHTS),
    "conversation.assigned": (INSIGHTS,),
    "conversation.team": (INSIGHTS,),
    "conversation.need": (INSIGHTS,),
    "customer.changed": (INSIGHTS,),
}
DAY0 = date(2026, 11, 2)  # a Monday


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(DAY0.year, DAY0.month, DAY0.day, hour, minute, tzinfo=UTC) + timedelta(days=day)


def everything(**kw: object) -> Filters:
    return Filters(start=DAY0 - timedelta(days=40), end=DAY0 + timedelta(days=40), **kw)  # type: ignore[arg-type]


def drain(capture: Any) -> int:
    """What the worker does: run the queued subscriber tasks, in order, until none is left."""
    ran = 0
    for _round in range(20):
        tasks = list(
            DBTaskResult.objects.filter(task_path="goodwill.core.events.run_subscriber").order_by(
                "enqueued_at"
            )
        )
        if not tasks:
            return ran
        with capture(execute=True):
            for task in tasks:
                run_subscriber.call(*task.args_kwargs["args"])
        DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
        ran += len(tasks)
    raise AssertionError("subscribers kept queueing work")


@pytest.fixture(autouse=True)
def feeding_subscribers() -> Iterator[None]:
    with subscribed(FEEDING):
        yield


@dataclass
class History:
    support: Team
    billing: Team
    lead: Agent
    ann: Agent
    bob: Agent
    acme: Organisation
    refunds: ContactReason
    delivery: ContactReason
    colleague: Customer
    conversations: list[Conversation]


@pytest.fixture
def history(db, django_capture_on_commit_callbacks) -> History:  # type: ignore[no-untyped-def]
    Schedule.objects.create(name="Always", time_zone="UTC", is_default=True,
                            hours={str(d): [["00:00", "00:00"]] for d in range(7)})  # fmt: skip
    SlaPolicy.objects.create(
        name="Standard", position=10, first_response_minutes=60, resolution_minutes=24 * 60
    )
    support = Team.objects.create(name="Front desk", slug="front-desk")
    billing = Team.objects.create(name="Accounts", slug="accounts")
    lead = create_or_update_agent("lead@example.test", name="Lea Lead")[0]
    add_to_team(lead, support)
    TeamMembership.objects.filter(agent=lead).update(is_lead=True)
    ann = create_or_update_agent("ann@example.test", name="Ann")[0]
    bob = create_or_update_agent("bob@example.test", name="Bob")[0]
    add_to_team(ann, support)
    add_to_team(bob, billing)
    acme = Organisation.objects.create(name="Acme")
    refunds = ContactReason.objects.create(name="Refunds")
    delivery = ContactReason.objects.create(name="Delivery")
    colleague = create_customer(name="Colin Colleague", emails=["colin@ourcompany.test"])
    Customer.objects.filter(pk=colleague.pk).update(is_internal=True)
    colleague.refresh_from_db()
    acme_buyer = create_customer(name="Ada Acme", emails=["ada@acme.test"])
    Customer.objects.filter(pk=acme_buyer.pk).update(organisation=acme)
    acme_buyer.refresh_from_db()
    made = []
    plan = [  # day, channel, team, assignee, customer, need, reply after minutes, solved after hours, more mail
        (0, "email", support, ann, acme_buyer, refunds, 30, 5, "This is awful, I am very angry and upset."),
        (0, "portal", support, ann, None, delivery, 90, None, "Thank you so much, wonderful help!"),
        (1, "email", billing, bob, colleague, refunds, 20, 30, ""),
        (2, "phone", billing, None, None, None, None, None, ""),
        (30, "email", support, ann, None, refunds, 10, 2, "Still waiting, this is terrible."),
        (31, "email", support, bob, acme_buyer, refunds, 200, None, ""),
        (32, "webform", support, ann, None, refunds, None, None, ""),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for day, channel, team, assignee, customer, need, reply_after, solve_after, more in plan:
            conversation = make_conversation(
                channel=channel, team=team, assignee=assignee, customer=customer, at=at(day),
                text="Hello, I need help with my order please.",
            )  # fmt: skip
            if need is not None:
                set_need(conversation, need, by=None)
            if reply_after is not None:
                add_reply(conversation, by=assignee or ann, text="Here is what I found.", at=at(day, 9, reply_after % 60)
                          + timedelta(hours=reply_after // 60))  # fmt: skip
            if more:
                receive_message(conversation, customer=conversation.customer, text=more, at=at(day, 12))
            if solve_after is not None:
                conversation.refresh_from_db()
                change_status(conversation, Conversation.Status.SOLVED, by=assignee or ann)
            conversation.refresh_from_db()
            made.append(conversation)
    drain(django_capture_on_commit_callbacks)
    for conversation in made:
        conversation.refresh_from_db()
    return History(support, billing, lead, ann, bob, acme, refunds, delivery, colleague, made)
