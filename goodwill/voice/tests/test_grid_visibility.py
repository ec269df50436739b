"""The outcome × conduct grid counts only answers an agent may read: a restricted team the agent
is not in is neither offered, nor counted, nor reachable by its id."""

from __future__ import annotations

import re

import pytest

from goodwill.customers.services import create_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_answer(billing_team, answered):  # type: ignore[no-untyped-def]
    person = create_customer(name="Bettina Billing", emails=["bettina@customer.test"])
    return answered(person, days_ago=3, outcome="met", conduct=5, team=billing_team)


def answers_on(body: str) -> int:
    return sum(int(count) for count in re.findall(r"</th><td>(\d+)</td>", body))


def test_an_agent_outside_the_team_sees_no_answer_of_it(client, agent, billing_team, billing_answer):
    client.force_login(agent)
    page = client.get("/voice/grid/")
    body = page.content.decode()
    assert page.status_code == 200
    assert answers_on(body) == 0
    assert ">Billing</option>" not in body
    assert client.get(f"/voice/grid/?team={billing_team.pk}").status_code == 404


def test_a_member_counts_them(client, outsider, billing_team, billing_answer):
    client.force_login(outsider)
    body = client.get("/voice/grid/").content.decode()
    assert answers_on(body) == 1 and ">Billing</option>" in body
    by_team = client.get(f"/voice/grid/?team={billing_team.pk}")
    assert by_team.status_code == 200 and answers_on(by_team.content.decode()) == 1
