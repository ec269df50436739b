"""Team settings: that team's leads and admins change them; everyone else is refused."""

from __future__ import annotations

import pytest

from goodwill.churn.models import ChurnSettings

pytestmark = pytest.mark.django_db

VALID = {
    "enabled": "on",
    "factor": "1.5",
    "default_interval_days": "45",
    "min_interval_days": "10",
    "min_history": "4",
    "conduct_at_most": "2",
    "mood_at_most": "-0.4",
    "use_feedback": "on",
    "use_promises": "on",
}


def test_a_lead_saves_the_team_settings(client, lead, support_team):
    client.force_login(lead)
    assert (
        "Churn watch settings: Support" in client.get(f"/churn/settings/{support_team.pk}/").content.decode()
    )
    response = client.post(f"/churn/settings/{support_team.pk}/", VALID)
    assert response.status_code == 302
    saved = ChurnSettings.objects.get(team=support_team)
    assert float(saved.factor) == 1.5 and saved.default_interval_days == 45 and saved.min_history == 4
    assert saved.use_promises and not saved.use_mood


def test_bad_values_are_refused_with_the_form_again(client, lead, support_team):
    client.force_login(lead)
    response = client.post(f"/churn/settings/{support_team.pk}/", {**VALID, "factor": "0.5"})
    assert response.status_code == 400
    assert not ChurnSettings.objects.exists()


def test_an_agent_who_does_not_lead_the_team_is_refused(client, agent, support_team):
    client.force_login(agent)
    assert client.get(f"/churn/settings/{support_team.pk}/").status_code == 403
    assert client.post(f"/churn/settings/{support_team.pk}/", VALID).status_code == 403


def test_a_lead_of_another_team_is_refused(client, lead, outsider, billing_team, support_team):
    client.force_login(lead)
    assert client.get(f"/churn/settings/{billing_team.pk}/").status_code == 403


def test_admins_may_tune_any_team(client, admin, billing_team):
    client.force_login(admin)
    assert client.post(f"/churn/settings/{billing_team.pk}/", VALID).status_code == 302
