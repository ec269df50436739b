"""Assignment: fair turns, fewest-open, availability, limits, skills, and returning from away."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.automation.assignment import assign_by_policy, return_from_away, set_away
from goodwill.automation.models import AgentSkill, AssignmentPolicy
from goodwill.conversations.models import ContactReason, Conversation
from goodwill.conversations.services import open_conversation, set_need
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def crew(support_team):  # type: ignore[no-untyped-def]
    people = []
    for name in ("ann", "ben", "cat"):
        person = create_or_update_agent(f"{name}@example.com", name=name.title(), role="agent")[0]
        add_to_team(person, support_team)
        people.append(person)
    return people


def new_conversations(customer, team, count):  # type: ignore[no-untyped-def]
    return [
        open_conversation(customer=customer, subject=f"Question {n}", channel="email", text="Hi", team=team)[
            0
        ]
        for n in range(count)
    ]


def test_round_robin_gives_each_available_agent_their_turn(support_team, crew, customer):
    AssignmentPolicy.objects.create(team=support_team, mode=AssignmentPolicy.Mode.ROUND_ROBIN, max_open=0)
    picked = [assign_by_policy(conversation) for conversation in new_conversations(customer, support_team, 9)]
    assert [agent.email for agent in picked[:3]] == ["ann@example.com", "ben@example.com", "cat@example.com"]
    assert Counter(agent.pk for agent in picked) == {crew[0].pk: 3, crew[1].pk: 3, crew[2].pk: 3}


def test_load_balancing_picks_whoever_has_fewest_open(support_team, crew, customer):
    AssignmentPolicy.objects.create(team=support_team, mode=AssignmentPolicy.Mode.LOAD_BALANCED, max_open=0)
    busy = new_conversations(customer, support_team, 2)
    for conversation in busy:
        conversation.assignee = crew[0]
        conversation.save()
    picked = [assign_by_policy(conversation) for conversation in new_conversations(customer, support_team, 4)]
    counts = Counter(Conversation.objects.open().values_list("assignee__email", flat=True))
    assert crew[0] not in picked[:2]
    assert max(counts.values()) - min(counts.values()) <= 1


def test_away_agents_and_full_agents_get_nothing(support_team, crew, customer):
    AssignmentPolicy.objects.create(team=support_team, max_open=1)
    set_away(crew[1], True)
    picked = [assign_by_policy(conversation) for conversation in new_conversations(customer, support_team, 3)]
    assert [agent.email if agent else None for agent in picked] == [
        "ann@example.com",
        "cat@example.com",
        None,
    ]
    assert Event.objects.filter(kind=Event.Kind.AGENT_CHANGED, actor=crew[1]).exists()


def test_by_skill_only_agents_who_handle_the_need(support_team, crew, customer, admin):
    need = ContactReason.objects.create(name="Billing question")
    AgentSkill.objects.create(agent=crew[2], need=need)
    AssignmentPolicy.objects.create(team=support_team, by_skill=True, max_open=0)
    conversations = new_conversations(customer, support_team, 2)
    for conversation in conversations:
        set_need(conversation, need, by=admin)
    assert [assign_by_policy(c) for c in conversations] == [crew[2], crew[2]]


def test_an_away_agents_conversations_go_back_to_the_team_after_the_policy_time(support_team, crew, customer):
    AssignmentPolicy.objects.create(team=support_team, max_open=0, return_after_minutes=60)
    conversation = new_conversations(customer, support_team, 1)[0]
    assert assign_by_policy(conversation) == crew[0]
    set_away(crew[0], True)
    assert return_from_away(timezone.now() + timedelta(minutes=30)) == 0
    assert return_from_away(timezone.now() + timedelta(minutes=61)) == 1
    conversation.refresh_from_db()
    assert conversation.assignee == crew[1]  # returned, and handed to the next available agent
    assert "away" in conversation.messages.filter(kind="note").get().text
    assert return_from_away(timezone.now() + timedelta(minutes=62)) == 0


def test_new_conversations_of_a_team_are_assigned_by_the_worker(support_team, crew, customer, worker):
    AssignmentPolicy.objects.create(team=support_team, max_open=0)
    with worker():
        conversation = new_conversations(customer, support_team, 1)[0]
    conversation.refresh_from_db()
    assert conversation.assignee == crew[0] and conversation.status == Conversation.Status.OPEN


def test_no_policy_no_assignment(support_team, crew, customer):
    assert assign_by_policy(new_conversations(customer, support_team, 1)[0]) is None
    assert Agent.objects.filter(assigned_conversations__isnull=False).count() == 0
