"""Agent workload: open assigned now, replies and solved per agent, against direct queries."""

from __future__ import annotations

import pytest

from goodwill.conversations.models import Conversation, Message
from goodwill.insights.dashboards import workload
from goodwill.insights.tests.conftest import everything

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
