"""The NPS and CES page: promoters minus detractors and the CES average per month, with counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from goodwill.customers.services import create_customer
from goodwill.voice.models import Pulse

pytestmark = pytest.mark.django_db


def answer(kind, score, month, team=None):  # type: ignore[no-untyped-def]
    person = create_customer(name=f"{kind}{score}{month}")
    at = datetime(2026, month, 10, 12, tzinfo=UTC)
    Pulse.objects.create(
        kind=kind, customer=person, team=team, send_after=at, sent_at=at, answered_at=at, score=score
    )


def test_nps_and_ces_per_month(client, agent, support_team):
    for score in (10, 9, 9, 7, 3):  # October: 3 promoters, 1 passive, 1 detractor → 40
        answer("nps", score, 10)
    for score in (10, 0):  # November: 0
        answer("nps", score, 11, team=support_team)
    for score in (7, 5, 6):
        answer("ces", score, 11)
    Pulse.objects.create(
        kind="nps", customer=create_customer(name="unanswered"), send_after=datetime.now(UTC)
    )
    client.force_login(agent)
    page = client.get("/voice/nps-ces/?from=2026-01-01&to=2026-12-31").content.decode()
    assert "Oct 2026</th><td>40</td><td>5</td><td>3</td><td>1</td><td>1</td>" in page
    assert "Nov 2026</th><td>0</td><td>2</td><td>1</td><td>0</td><td>1</td>" in page
    assert "29 from 7 answers" in page  # (4 promoters - 2 detractors) / 7
    assert "Nov 2026</th><td>6.00</td><td>3</td>" in page and "average 6.00 from 3 answers" in page
    team_only = client.get(
        f"/voice/nps-ces/?from=2026-01-01&to=2026-12-31&team={support_team.pk}"
    ).content.decode()
    assert "Oct 2026" not in team_only and "0 from 2 answers" in team_only


def test_it_needs_a_login(client):
    assert client.get("/voice/nps-ces/").status_code == 302
