"""Dates typed into the search filters: out-of-range ones are refused with a message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from goodwill.conversations.services import open_conversation


@pytest.fixture
def sam(agent) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(agent)
    return client


@pytest.mark.parametrize(
    "dates",
    [
        {"until": "9999-12-31"},
        {"since": "9999-12-31"},
        {"since": "0001-01-01"},
        {"until": "0001-01-01"},
        {"since": "0001-01-01", "until": "9999-12-31"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashed(sam, customer, dates) -> None:  # type: ignore[no-untyped-def]
    open_conversation(customer=customer, subject="Gadget", channel="email", text="My gadget is broken")
    response = sam.get(reverse("search:results"), {"q": "gadget", **dates})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a date between" in html
    assert "My gadget is broken" not in html


def test_it_refuses_a_range_that_ends_before_it_starts(sam, customer) -> None:  # type: ignore[no-untyped-def]
    response = sam.get(
        reverse("search:results"), {"q": "gadget", "since": "2025-05-02", "until": "2025-05-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_ordinary_dates_still_filter(sam, customer) -> None:  # type: ignore[no-untyped-def]
    open_conversation(customer=customer, subject="Gadget", channel="email", text="My gadget is broken")
    response = sam.get(
        reverse("search:results"), {"q": "gadget", "since": "2000-01-01", "until": "2999-12-31"}
    )
    assert response.status_code == 200
    assert "gadget" in response.content.decode().lower()
    assert "Choose a date between" not in response.content.decode()
