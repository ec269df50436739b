"""The "Recompute now" button: leads and admins only."""

from __future__ import annotations

import pytest

from goodwill.churn.models import ChurnRun
from goodwill.churn.tests.conftest import broken_promise

pytestmark = pytest.mark.django_db


def test_a_lead_recomputes_on_demand(client, lead, history):
    broken_promise(history("Rita Regular", [116, 95, 74, 53])[-1])
    client.force_login(lead)
    response = client.post("/churn/rebuild/", follow=True)
    assert "Recomputed: " in response.content.decode()
    run = ChurnRun.objects.get()
    assert run.trigger == "button" and run.by == lead


def test_an_agent_who_leads_no_team_may_not(client, agent):
    client.force_login(agent)
    assert client.post("/churn/rebuild/").status_code == 403
    assert not ChurnRun.objects.exists()


def test_it_needs_a_post(client, lead):
    client.force_login(lead)
    assert client.get("/churn/rebuild/").status_code == 405
