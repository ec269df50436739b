"""The churn reason on the customer page, for agents; nothing for customers not listed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_listed_customers_page_shows_the_reason(client, agent, listed_entry):
    client.force_login(agent)
    page = client.get(f"/customers/{listed_entry.customer_id}/").content.decode()
    assert 'id="churn-panel-title"' in page
    assert "usually writes every 21 days, silent for 53" in page


def test_a_customer_not_listed_has_no_panel(client, agent, customer, listed_entry):
    client.force_login(agent)
    assert 'id="churn-panel-title"' not in client.get(f"/customers/{customer.pk}/").content.decode()


def test_light_agents_never_see_it(client, light_agent, listed_entry):
    client.force_login(light_agent)
    response = client.get(f"/customers/{listed_entry.customer_id}/")
    assert "silent for 53" not in response.content.decode()
