"""Countdown badges on inbox rows and the conversation, the "Breaching soon" view and the time-left sort."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import change_status, open_conversation
from goodwill.expectations.badges import format_span, row_badges
from goodwill.expectations.tests.conftest import run_queued_subscribers

pytestmark = pytest.mark.django_db


def open_at(customer, capture, minutes_ago: int, subject: str) -> Conversation:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        conversation, _ = open_conversation(
            customer=customer,
            subject=subject,
            channel="email",
            at=timezone.now() - timedelta(minutes=minutes_ago),
        )
    run_queued_subscribers()
    conversation.refresh_from_db()
    return conversation


def test_spans_read_naturally():
    assert [format_span(timedelta(minutes=m)) for m in (0, 45, 60, 80, 60 * 27)] == [
        "under 1m",
        "45m",
        "1h",
        "1h 20m",
        "1d 3h",
    ]


def test_rows_show_time_left_warning_and_overdue(policy, customer, agent, django_capture_on_commit_callbacks):
    fresh = open_at(customer, django_capture_on_commit_callbacks, 5, "Fresh")
    close = open_at(customer, django_capture_on_commit_callbacks, 50, "Close")
    late = open_at(customer, django_capture_on_commit_callbacks, 90, "Late")
    badges = row_badges([fresh.pk, close.pk, late.pk])
    assert badges[fresh.pk][0].kind == "sla sla-ok" and badges[fresh.pk][0].label.endswith("left")
    assert badges[close.pk][0].kind == "sla sla-warn"
    assert badges[late.pk][0].kind == "sla sla-breached" and badges[late.pk][0].label.startswith("Overdue 3")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(fresh, "pending", by=agent)
    run_queued_subscribers()
    assert row_badges([fresh.pk])[fresh.pk][0].label == "SLA paused"


def test_breaching_soon_lists_the_nearest_first_and_the_sort_offers_time_left(
    policy, customer, agent, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for minutes, subject in ((5, "Later one"), (90, "Overdue one"), (50, "Soon one")):
        open_at(customer, django_capture_on_commit_callbacks, minutes, subject)
    client.force_login(agent)
    page = client.get(reverse("conversations:inbox") + "?view=breaching").content.decode()
    assert page.index("Overdue one") < page.index("Soon one") < page.index("Later one")
    assert "Breaching soon" in page and "sla-breached" in page
    assert 'value="time_left"' in page
    sorted_page = client.get(reverse("conversations:inbox") + "?view=open&sort=time_left").content.decode()
    assert sorted_page.index("Overdue one") < sorted_page.index("Later one")
    with django_assert_max_num_queries(25):
        client.get(reverse("conversations:inbox") + "?view=breaching")


def test_the_conversation_page_shows_the_targets(
    policy, customer, agent, client, django_capture_on_commit_callbacks
):
    conversation = open_at(customer, django_capture_on_commit_callbacks, 10, "Help")
    client.force_login(agent)
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Service levels" in page and "First response" in page and "m left" in page


def test_the_time_left_page_walks_its_index_on_postgresql(
    policy, customer, agent, client, django_capture_on_commit_callbacks
):
    """PostgreSQL under-estimates "due before X" among open conversations and sorted every due one
    (300 ms at 1M); the time-left page runs with sorts as the last resort, so it walks
    `conv_open_sla_due` and stops after one page. Other sorts are left to the planner."""
    for minutes, subject in ((5, "Later one"), (90, "Overdue one")):
        open_at(customer, django_capture_on_commit_callbacks, minutes, subject)
    client.force_login(agent)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as timed:
        page = client.get(reverse("conversations:inbox") + "?view=breaching").content.decode()
    assert page.index("Overdue one") < page.index("Later one")
    with CaptureQueriesContext(connection) as recent:
        client.get(reverse("conversations:inbox") + "?view=open&sort=recent")
    walks = [q["sql"] for q in timed.captured_queries if "enable_sort" in q["sql"]]
    assert walks == (["SET LOCAL enable_sort = off"] if connection.vendor == "postgresql" else [])
    assert not [q for q in recent.captured_queries if "enable_sort" in q["sql"]]
