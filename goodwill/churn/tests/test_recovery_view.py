"""Open recovery case: one click, once per bad last experience."""

from __future__ import annotations

import pytest

from goodwill.recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db


def test_one_click_opens_the_case_with_the_reason(client, agent, listed_entry):
    client.force_login(agent)
    response = client.post(f"/churn/{listed_entry.customer_id}/recovery/", follow=True)
    assert "Recovery case opened." in response.content.decode()
    case = RecoveryCase.objects.get()
    assert case.trigger == RecoveryCase.Trigger.CHURN_RISK
    assert case.source_key == f"churn:{listed_entry.customer_id}:{listed_entry.last_conversation_id}"
    assert case.reason == listed_entry.reason[:300] and case.opened_by == agent
    assert case.conversation_id == listed_entry.last_conversation_id


def test_a_second_click_opens_nothing_new(client, agent, listed_entry):
    client.force_login(agent)
    client.post(f"/churn/{listed_entry.customer_id}/recovery/")
    response = client.post(f"/churn/{listed_entry.customer_id}/recovery/", follow=True)
    assert "already open" in response.content.decode()
    assert RecoveryCase.objects.count() == 1


def test_outsiders_of_a_restricted_team_get_not_found(client, agent, history, billing_team):
    from goodwill.churn.tests.conftest import NOW, broken_promise
    from goodwill.churn.watch import rebuild_watch

    conversations = history("Secret Sam", [116, 95, 74, 53], team=billing_team)
    broken_promise(conversations[-1])
    rebuild_watch(NOW)
    client.force_login(agent)
    assert client.post(f"/churn/{conversations[0].customer_id}/recovery/").status_code == 404
    assert not RecoveryCase.objects.exists()


def test_light_agents_may_not(client, light_agent, listed_entry):
    client.force_login(light_agent)
    assert client.post(f"/churn/{listed_entry.customer_id}/recovery/").status_code == 403
