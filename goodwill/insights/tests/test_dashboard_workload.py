"""Agent workload: open assigned now, replies and solved per agent, against direct queries."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import assign_conversation, change_status
from goodwill.insights import rollup
from goodwill.insights.dashboards import workload
from goodwill.insights.models import OpenWork
from goodwill.insights.tests.conftest import drain, everything

pytestmark = pytest.mark.django_db


def test_each_agents_row_equals_direct_queries(history):
    table = workload.build(everything()).tables[0]
    rows = {row[0]: row[1:] for row in table.rows}
    for person in (history.ann, history.bob):
        open_now = (
            Conversation.objects.filter(assignee=person).exclude(status__in=["solved", "closed"]).count()
        )
        opened = Conversation.objects.filter(assignee=person).count()
        replies = Message.objects.filter(author_agent=person, direction="out", kind="reply").count()
        solved = Conversation.objects.filter(assignee=person, solved_at__isnull=False).count()
        assert rows[person.display_name] == [open_now, opened, replies, solved]
    assert rows["Ann"][2] >= 3


def test_the_team_filter_keeps_that_teams_work(history):
    table = workload.build(everything(team_id=history.billing.pk)).tables[0]
    rows = {row[0]: row[1:] for row in table.rows}
    assert (
        "Ann" not in rows
        or rows["Ann"][2]
        == Message.objects.filter(
            author_agent=history.ann, conversation__team=history.billing, direction="out"
        ).count()
    )
    assert (
        rows["Bob"][2]
        == Message.objects.filter(
            author_agent=history.bob, conversation__team=history.billing, direction="out", kind="reply"
        ).count()
    )


def _open_work() -> set[tuple]:
    return set(
        OpenWork.objects.values_list(
            "conversation_id", "team_id", "channel", "need_id", "agent_id", "organisation_id", "internal"
        )
    )


def _open_conversations() -> set[tuple]:
    rows = Conversation.objects.exclude(status__in=["solved", "closed"]).values_list(
        "pk",
        "team_id",
        "channel",
        "need_id",
        "assignee_id",
        "customer__organisation_id",
        "customer__is_internal",
    )
    return {(pk, t or 0, ch, n or 0, a or 0, o or 0, bool(i)) for pk, t, ch, n, a, o, i in rows}


def test_open_work_holds_exactly_the_open_conversations(history):
    assert _open_work() == _open_conversations()
    assert len(_open_work()) == 4


def test_open_now_follows_solving_and_reassigning(history, django_capture_on_commit_callbacks):
    ann_open = workload.open_now(everything())[history.ann.pk]
    held = next(c for c in history.conversations if c.assignee == history.ann and c.is_open)
    with django_capture_on_commit_callbacks(execute=True):
        assign_conversation(held, to=history.bob, by=history.lead)
    drain(django_capture_on_commit_callbacks)
    after_move = workload.open_now(everything())
    assert after_move[history.ann.pk] == ann_open - 1
    assert workload.open_now(everything(agent_id=history.bob.pk)) == {
        history.bob.pk: after_move[history.bob.pk]
    }
    held.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(held, Conversation.Status.SOLVED, by=history.bob)
    drain(django_capture_on_commit_callbacks)
    assert _open_work() == _open_conversations()
    assert workload.open_now(everything()).get(history.bob.pk, 0) == after_move[history.bob.pk] - 1


def test_open_now_honours_every_filter(history):
    acme = everything(organisation_id=history.acme.pk)
    expected = Conversation.objects.exclude(status__in=["solved", "closed"]).filter(
        customer__organisation=history.acme, assignee__isnull=False
    )
    assert sum(workload.open_now(acme).values()) == expected.count() == 1
    refunds = workload.open_now(everything(need_id=history.refunds.pk, channel="email"))
    assert sum(refunds.values()) == (
        Conversation.objects.exclude(status__in=["solved", "closed"])
        .filter(need=history.refunds, channel="email", assignee__isnull=False)
        .count()
    )
    assert workload.open_now(everything(team_id=history.billing.pk)) == {}


def test_a_rebuild_and_the_migration_fill_open_work_the_same_way(history):
    expected = _open_work()
    rollup.rebuild()
    assert _open_work() == expected
    OpenWork.objects.all().delete()
    migration = importlib.import_module("goodwill.insights.migrations.0002_openwork")
    with connection.cursor() as cursor:
        migration.fill_open_work(django_apps, SimpleNamespace(execute=cursor.execute))
    assert _open_work() == expected


def test_the_open_count_reads_open_work_only(history, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        workload.open_now(everything(team_id=history.support.pk))
    assert "conversations_conversation" not in captured.captured_queries[0]["sql"]
