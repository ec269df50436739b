"""Demo automation: a few rules admins would write, assignment per team, skills, a webhook, and
a history of rule runs over the conversations (one INSERT … SELECT, so 1,000,000 stays fast)."""

from __future__ import annotations

import json

from django.db import connection

from goodwill.accounts.models import Agent, Team
from goodwill.automation.models import AgentSkill, AssignmentPolicy, Rule
from goodwill.conversations.models import ContactReason
from goodwill.webhooks.models import Webhook

RULES = [
    (
        "Refunds go to billing",
        "event",
        ["created"],
        [{"field": "text", "op": "contains", "value": "refund | money back"}],
        [{"type": "add_tags", "value": "refund"}, {"type": "set_priority", "value": "3"}],
    ),
    (
        "Upset customers are urgent",
        "event",
        ["created", "customer_replied"],
        [{"field": "sentiment", "op": "less_than", "value": "-0.5"}],
        [{"type": "set_priority", "value": "4"}, {"type": "notify", "value": "team leads"}],
    ),
    (
        "Reply reopens pending",
        "event",
        ["customer_replied"],
        [{"field": "status", "op": "is", "value": "pending"}],
        [{"type": "set_status", "value": "open"}],
    ),
    (
        "Pending for 5 days",
        "time",
        [],
        [
            {"field": "status", "op": "is", "value": "pending"},
            {"field": "hours_since_status", "op": "more_than", "value": "120"},
        ],
        [
            {"type": "add_note", "value": "No answer for five days: solved."},
            {"type": "set_status", "value": "solved"},
        ],
    ),
]
RUN_EVERY = 10  # one conversation in ten shows a run of the first rule


def seed_automation() -> None:
    """Idempotent: rules and settings are kept when present; runs are added once."""
    admin = Agent.objects.filter(role=Agent.Role.ADMIN).order_by("pk").first()
    for position, (name, kind, triggers, conditions, actions) in enumerate(RULES):
        Rule.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "triggers": triggers,
                "conditions": conditions,
                "actions": actions,
                "position": position,
                "is_active": True,
                "created_by": admin,
            },
        )
    for number, team in enumerate(Team.objects.order_by("pk")):
        mode = AssignmentPolicy.Mode.ROUND_ROBIN if number % 2 == 0 else AssignmentPolicy.Mode.LOAD_BALANCED
        AssignmentPolicy.objects.get_or_create(team=team, defaults={"mode": mode, "max_open": 25})
    needs = list(ContactReason.objects.filter(is_active=True).order_by("pk")[:6])
    agents = list(Agent.objects.filter(is_active=True).exclude(role=Agent.Role.LIGHT).order_by("pk"))
    AgentSkill.objects.bulk_create(
        [
            AgentSkill(agent=agent, need=needs[(i + j) % len(needs)])
            for i, agent in enumerate(agents)
            for j in range(2)
        ]
        if needs
        else [],
        ignore_conflicts=True,
    )
    Webhook.objects.get_or_create(
        name="CRM (demo)",
        defaults={
            "url": "https://crm.example.com/hooks/goodwill",
            "topics": ["conversation.solved"],
            "is_active": False,
            "disabled_reason": "Demo webhook: point it at a receiver and switch it on.",
        },
    )
    rule = Rule.objects.get(name=RULES[0][0])
    if rule.runs.exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO automation_rulerun (rule_id, conversation_id, event_id, open_episode, chain, actions, error, created_at) "
            "SELECT %s, id, NULL, %s, %s, %s, '', created_at FROM conversations_conversation WHERE id %% %s = 0",
            [rule.pk, False, "[]", json.dumps(["Add tags: refund", "Set priority: 3"]), RUN_EVERY],
        )
