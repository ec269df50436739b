"""The /churn/ page: who sees it, which rows, the team filter, paging, a constant query count."""

from __future__ import annotations

import pytest

from goodwill.churn.tests.conftest import NOW, broken_promise
from goodwill.churn.watch import rebuild_watch

pytestmark = pytest.mark.django_db


def test_an_agent_reads_each_row_with_its_reason_and_figures(client, agent, listed_entry):
    client.force_login(agent)
    page = client.get("/churn/").content.decode()
    assert "Rita Regular" in page
    assert listed_entry.reason.replace("'", "&#x27;") in page
    assert "median gap between 4 conversations" in page
    assert "2500.00" in page
    assert "Reach out" in page and "Open recovery case" in page
    assert "Recompute now" not in page  # leads only


def test_a_lead_sees_the_recompute_button_and_their_settings_link(client, lead, support_team, listed_entry):
    client.force_login(lead)
    page = client.get("/churn/").content.decode()
    assert "Recompute now" in page
    assert f'href="/churn/settings/{support_team.pk}/"' in page


def test_light_agents_may_not_open_it(client, light_agent, listed_entry):
    client.force_login(light_agent)
    assert client.get("/churn/").status_code == 403


def test_signed_out_visitors_go_to_sign_in(client, listed_entry):
    assert client.get("/churn/").status_code == 302


def test_restricted_teams_rows_are_hidden_from_outsiders(client, agent, outsider, history, billing_team):
    broken_promise(history("Secret Sam", [116, 95, 74, 53], team=billing_team)[-1])
    rebuild_watch(NOW)
    client.force_login(agent)
    assert "Secret Sam" not in client.get("/churn/").content.decode()
    client.force_login(outsider)
    assert "Secret Sam" in client.get("/churn/").content.decode()


def test_the_team_filter(client, admin, history, billing_team, support_team):
    broken_promise(history("Billing Bo", [116, 95, 74, 53], team=billing_team)[-1])
    broken_promise(history("Support Su", [116, 95, 74, 53])[-1])
    rebuild_watch(NOW)
    client.force_login(admin)
    page = client.get(f"/churn/?team={billing_team.pk}").content.decode()
    assert "Billing Bo" in page and "Support Su" not in page
    assert "Support Su" in client.get("/churn/?team=bogus").content.decode()


def test_pages_of_fifty_with_a_constant_number_of_queries(
    client, agent, history, django_assert_max_num_queries, settings
):
    from goodwill.churn import selectors

    settings.DEBUG = False
    for number in range(7):
        broken_promise(history(f"Person {number:02}", [116, 95, 74, 53])[-1])
    rebuild_watch(NOW)
    client.force_login(agent)
    original = selectors.PAGE_SIZE
    selectors.PAGE_SIZE = 3
    try:
        first = client.get("/churn/").content.decode()
        assert "Person 00" in first and "Person 03" not in first and "after=3" in first
        with django_assert_max_num_queries(14):
            second = client.get("/churn/?after=3").content.decode()
        assert "Person 03" in second and "Person 06" not in second
        assert 'rel="prev"' in second
        with django_assert_max_num_queries(14):
            assert "Person 06" in client.get("/churn/?after=6").content.decode()
    finally:
        selectors.PAGE_SIZE = original


def test_rows_already_reached_or_in_recovery_are_marked(client, agent, listed_entry):
    from goodwill.churn.services import open_recovery, start_outreach

    client.force_login(agent)
    start_outreach(listed_entry, by=agent, subject="Checking in", text="Hello Rita")
    open_recovery(listed_entry, by=agent)
    page = client.get("/churn/").content.decode()
    assert "reached out" in page and "recovery case open" in page
