"""The grid equals a direct count on crafted data; the API records returns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
from goodwill.voice.grid import outcome_conduct_grid, wilson
from goodwill.voice.models import ReturnEvent, Survey
from goodwill.voice.returns import refresh_returns

pytestmark = pytest.mark.django_db


def came_back(customer, *, days_ago):  # type: ignore[no-untyped-def]
    conversation = open_conversation(customer=customer, subject="back", text="again", channel="email")[0]
    Conversation.objects.filter(pk=conversation.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


def test_each_quadrant_counts_who_came_back(answered):  # type: ignore[no-untyped-def]
    people = [create_customer(name=f"C{n}", emails=[f"c{n}@customer.test"]) for n in range(6)]
    # Need not met but treated well; came back 10 days after answering (within 30 and 90).
    answered(people[0], outcome="no", conduct=5, days_ago=100)
    came_back(people[0], days_ago=90)
    # Same quadrant, came back after 60 days (within 90 only).
    answered(people[1], outcome="partly", conduct=4, days_ago=100)
    came_back(people[1], days_ago=40)
    # Same quadrant, never came back.
    answered(people[2], outcome="no", conduct=4, days_ago=100)
    # Need not met, treated poorly; returned by an API event within 30 days.
    answered(people[3], outcome="no", conduct=1, days_ago=100)
    ReturnEvent.objects.create(customer=people[3], at=timezone.now() - timedelta(days=95))
    # Need met, treated well: answered 10 days ago, too early for either window.
    answered(people[4], outcome="yes", conduct=5, days_ago=10)
    # Need met, treated poorly: came back *before* answering only (does not count).
    answered(people[5], outcome="yes", conduct=2, days_ago=100)
    came_back(people[5], days_ago=150)

    assert refresh_returns() != ""  # the job that stores each answer's first return
    assert refresh_returns() == ""  # nothing new
    grid = {cell.key: cell for cell in outcome_conduct_grid(since=timezone.now() - timedelta(days=365),
                                                             until=timezone.now())}
    unmet_good = grid["unmet-good"]
    assert unmet_good.answers == 3
    assert [(r.days, r.eligible, r.returned) for r in unmet_good.rates] == [(30, 3, 1), (90, 3, 2)]
    assert [(r.eligible, r.returned) for r in grid["unmet-poor"].rates] == [(1, 1), (1, 1)]
    assert [(r.eligible, r.returned) for r in grid["met-good"].rates] == [(0, 0), (0, 0)]
    assert grid["met-good"].answers == 1
    assert [(r.eligible, r.returned) for r in grid["met-poor"].rates] == [(1, 0), (1, 0)]

    # The same figure straight from the rows, for one cell and window.
    direct = sum(
        1 for survey in Survey.objects.filter(conduct__gte=4).exclude(outcome="yes")
        if Conversation.objects.filter(customer=survey.customer, created_at__gt=survey.answered_at,
                                       created_at__lte=survey.answered_at + timedelta(days=90)).exists()
    )
    assert direct == unmet_good.rates[1].returned


def test_wilson_interval():
    low, high = wilson(8, 10)  # type: ignore[misc]
    assert round(low, 3) == 0.490 and round(high, 3) == 0.943
    assert wilson(0, 0) is None


def test_the_grid_page(client, agent):
    client.force_login(agent)
    page = client.get("/voice/grid/?from=2026-01-01&to=2026-12-31")
    assert page.status_code == 200 and "Need not (fully) met, treated well" in page.content.decode()


def test_the_api_records_a_return(client, customer, agent):
    from goodwill.accounts.services import issue_api_token

    token = issue_api_token(agent)
    answer = client.post(
        f"/api/v1/customers/{customer.pk}/returned", {"note": "renewed the plan"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 201, answer.content
    assert ReturnEvent.objects.get().note == "renewed the plan"
    future = client.post(
        f"/api/v1/customers/{customer.pk}/returned", {"at": "2999-01-01T00:00:00Z"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert future.status_code == 422
