"""The "Promises due" inbox view: conversations with an open promise past its due time, newest
activity first, read from the conversation's own flag through its partial index."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.tests.factories import make_conversation, view_subjects
from goodwill.core.testing import query_plan
from goodwill.promises import services
from goodwill.promises.jobs import flag_overdue
from goodwill.promises.models import Promise

pytestmark = pytest.mark.django_db


def promised(subject: str, agent, minutes_ago: int, *, due_in: int = -60) -> Promise:  # type: ignore[no-untyped-def]
    """A promise due `due_in` minutes from now, on a conversation whose last message was `minutes_ago`."""
    conversation = make_conversation(subject=subject, assignee=agent)
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    due_at = timezone.now() + timedelta(minutes=due_in)
    return services.confirm_promise(conversation, by=agent, text=f"I'll call about {subject}.", due_at=due_at)


def due_subjects(agent) -> list[str]:  # type: ignore[no-untyped-def]
    return view_subjects(agent, "promises_due")


def flagged_subjects() -> list[str]:
    return sorted(Conversation.objects.filter(promise_overdue=True).values_list("subject", flat=True))


def test_the_sweep_brings_in_open_overdue_promises_newest_activity_first(agent):
    promised("Older due", agent, 50)
    promised("Newer due", agent, 5)
    promised("Not due yet", agent, 1, due_in=600)
    kept = promised("Kept", agent, 20)
    promised("Middle due", agent, 30)
    services.close_promise(kept, by=agent, closing=services.KEPT)
    assert due_subjects(agent) == []  # not flagged until the sweep says so

    assert flag_overdue(timezone.now()) == 3
    assert due_subjects(agent) == ["Newer due", "Middle due", "Older due"]
    assert flagged_subjects() == ["Middle due", "Newer due", "Older due"]


def test_a_conversation_leaves_when_its_promise_is_kept_dropped_or_rescheduled(agent):
    kept, dropped, moved = (promised(s, agent, m) for s, m in (("Kept", 5), ("Dropped", 10), ("Moved", 15)))
    flag_overdue(timezone.now())
    assert due_subjects(agent) == ["Kept", "Dropped", "Moved"]

    services.close_promise(kept, by=agent, closing=services.KEPT)
    services.drop_detected(dropped.conversation, by=agent, text=dropped.text)
    services.reschedule(moved, by=agent, due_at=timezone.now() + timedelta(days=1))
    assert due_subjects(agent) == []
    assert flagged_subjects() == []


def test_it_stays_while_another_of_its_promises_is_still_overdue(agent):
    first = promised("Two promises", agent, 5)
    second = services.confirm_promise(
        first.conversation, by=agent, text="We'll ship it today.", due_at=timezone.now() - timedelta(hours=2)
    )
    flag_overdue(timezone.now())
    services.close_promise(first, by=agent, closing=services.BROKEN, reason="The courier did not come.")
    assert due_subjects(agent) == ["Two promises"]
    services.reschedule(second, by=agent, due_at=timezone.now() + timedelta(days=1))
    assert due_subjects(agent) == []


def test_the_page_walks_the_promise_overdue_index(agent, client):
    """A page reads conv_promise_overdue_recent in sort order. With sorts and full scans priced
    out, as the test's few rows would otherwise make any plan cheap, the database can only take
    it if the query's condition matches the index's."""
    promised("Due one", agent, 5)
    flag_overdue(timezone.now())
    client.force_login(agent)
    with CaptureQueriesContext(connection) as captured:
        assert "Due one" in client.get("/?view=promises_due").content.decode()
    [page_sql] = [q["sql"] for q in captured.captured_queries if '"promise_overdue"' in q["sql"]]
    assert "conv_promise_overdue_recent" in query_plan(page_sql)


def test_the_data_migration_flags_the_conversations_already_overdue(agent):
    from django.apps import apps

    fill = importlib.import_module("goodwill.promises.migrations.0004_promise_overdue_flag")
    promised("Overdue before the upgrade", agent, 5)
    promised("Not due", agent, 10, due_in=600)
    flag_overdue(timezone.now())
    Conversation.objects.update(promise_overdue=False)  # as the column's default left them

    fill.flag(apps, None)
    assert flagged_subjects() == ["Overdue before the upgrade"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
def test_two_promises_closed_at_once_leave_no_stale_flag(agent):
    """Each close sees the other's promise still open unless the second waits for the first to
    commit before it reads: the conversation's lock makes it wait, so the flag ends up clear."""
    first = promised("Both closed", agent, 5)
    second = services.confirm_promise(
        first.conversation, by=agent, text="We'll ship it today.", due_at=timezone.now() - timedelta(hours=2)
    )
    flag_overdue(timezone.now())
    closed_first, release = threading.Event(), threading.Event()

    def close_first_and_hold() -> None:
        try:
            with transaction.atomic():
                services.close_promise(first, by=agent, closing=services.KEPT)
                closed_first.set()
                assert release.wait(30)
        finally:
            connections.close_all()

    def close_second() -> None:
        try:
            services.close_promise(second, by=agent, closing=services.KEPT)
        finally:
            connections.close_all()

    holder = threading.Thread(target=close_first_and_hold)
    holder.start()
    assert closed_first.wait(30)
    closer = threading.Thread(target=close_second)
    closer.start()
    with connection.cursor() as cursor:  # the second close waits on the conversation's row lock
        for _ in range(3000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.01)
        else:
            pytest.fail("the second close never waited for the first")
    release.set()
    holder.join(30)
    closer.join(30)
    assert not holder.is_alive() and not closer.is_alive()
    assert not Promise.objects.filter(state=Promise.State.OPEN).exists()
    assert flagged_subjects() == []
