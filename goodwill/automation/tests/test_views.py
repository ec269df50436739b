"""The rule builder, “what would this do?”, assignment settings, the away switch and the panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.automation.models import AgentSkill, AssignmentPolicy, Rule, RuleRun
from goodwill.automation.tests.conftest import make_rule
from goodwill.conversations.models import ContactReason, Conversation

pytestmark = pytest.mark.django_db


def rule_post(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "name": "Refunds are urgent",
        "kind": "event",
        "triggers": ["created"],
        "match": "all",
        "position": "1",
        "is_active": "on",
        "hours_zone": "UTC",
        "conditions-TOTAL_FORMS": "2",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-field": "text",
        "conditions-0-op": "contains",
        "conditions-0-value": "refund",
        "conditions-1-field": "",
        "conditions-1-op": "is",
        "conditions-1-value": "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-type": "set_priority",
        "actions-0-value": "4",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_an_admin_builds_a_rule_with_condition_and_action_rows(client, admin):
    client.force_login(admin)
    assert client.get(reverse("automation:new")).status_code == 200
    response = client.post(reverse("automation:new"), rule_post())
    rule = Rule.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("automation:edit", args=[rule.pk])
    assert rule.conditions == [{"field": "text", "op": "contains", "value": "refund"}]
    assert rule.actions == [{"type": "set_priority", "value": "4"}]
    assert rule.triggers == ["created"] and rule.is_active and rule.created_by == admin
    page = client.get(reverse("automation:edit", args=[rule.pk])).content.decode()
    assert 'value="refund"' in page


def test_bad_rows_are_refused_and_what_was_typed_is_kept(client, admin):
    client.force_login(admin)
    response = client.post(reverse("automation:new"), rule_post(**{"actions-0-value": "nine", "conditions-0-value": "refundable"}))
    assert response.status_code == 400 and not Rule.objects.exists()
    page = response.content.decode()
    assert "choose 1, 2, 3 or 4" in page and 'value="refundable"' in page


def test_add_a_row_without_javascript_keeps_the_rows(client, admin):
    client.force_login(admin)
    response = client.post(reverse("automation:new"), {**rule_post(), "add_condition": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and not Rule.objects.exists()
    assert 'name="conditions-TOTAL_FORMS" value="3"' in page and 'value="refund"' in page


def test_testing_an_unsaved_rule_against_a_conversation_changes_nothing(client, admin, opened):
    conversation = opened(text="I need a refund")
    client.force_login(admin)
    response = client.post(reverse("automation:new"), {**rule_post(), "test": "1", "number": str(conversation.number)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "the rule would act" in page and "Set priority: 4" in page and "✔ matches" in page
    assert not Rule.objects.exists()
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.NORMAL


def test_testing_against_an_unknown_conversation_says_so(client, admin):
    client.force_login(admin)
    response = client.post(reverse("automation:new"), {**rule_post(), "test": "1", "number": "99999"})
    assert "No such conversation." in response.content.decode()


def test_agents_may_not_build_rules(client, agent):
    client.force_login(agent)
    assert client.get(reverse("automation:rules")).status_code == 403
    assert client.post(reverse("automation:new"), rule_post()).status_code == 403
    assert not Rule.objects.exists()


def test_the_rules_list_and_delete_with_confirmation(client, admin, django_assert_max_num_queries):
    for n in range(5):
        make_rule(f"Rule {n}")
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("automation:rules")).content.decode()
    assert "Rule 4" in page
    rule = Rule.objects.get(name="Rule 0")
    assert "Delete the rule" in client.get(reverse("automation:delete", args=[rule.pk])).content.decode()
    client.post(reverse("automation:delete", args=[rule.pk]))
    assert not Rule.objects.filter(pk=rule.pk).exists()


def test_the_conversation_page_shows_what_rules_did(client, agent, opened):
    make_rule("Tag it", actions=[{"type": "add_tags", "value": "auto"}])
    conversation = opened()
    assert RuleRun.objects.exists()
    client.force_login(agent)
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Automation" in page and "Tag it" in page and "Add tags: auto" in page


def test_an_agent_sets_themselves_away_and_back(client, agent):
    client.force_login(agent)
    page = client.get(reverse("conversations:inbox")).content.decode()
    assert "Set me away" in page
    client.post(reverse("automation:away"), {"away": "1", "next": "/?view=mine"})
    agent.refresh_from_db()
    assert agent.is_away and agent.away_since is not None
    response = client.post(reverse("automation:away"), {"away": "0", "next": "https://evil.example/"})
    agent.refresh_from_db()
    assert not agent.is_away and response["Location"] == "/"


def test_assignment_settings_per_team_and_skills(client, admin, agent, support_team):
    need = ContactReason.objects.create(name="Returns")
    client.force_login(admin)
    assert client.get(reverse("automation:assignment")).status_code == 200
    prefix = f"team-{support_team.pk}"
    response = client.post(
        reverse("automation:assignment"),
        {
            f"{prefix}-enabled": "on",
            f"{prefix}-mode": "load_balanced",
            f"{prefix}-max_open": "5",
            f"{prefix}-return_after_minutes": "30",
            f"skill-{agent.pk}-{need.pk}": "on",
        },
    )
    assert response.status_code == 302
    policy = AssignmentPolicy.objects.get(team=support_team)
    assert (policy.mode, policy.max_open, policy.return_after_minutes) == ("load_balanced", 5, 30)
    assert AgentSkill.objects.filter(agent=agent, need=need).exists()
    response = client.post(reverse("automation:assignment"), {f"{prefix}-mode": "round_robin", f"{prefix}-max_open": "-1", f"{prefix}-return_after_minutes": "30"})
    assert response.status_code == 400
    assert AssignmentPolicy.objects.filter(team=support_team).exists()
