"""The inbox page's query count is pinned: constant in the number of rows, views and badges."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goodwill.accounts.notifications import notify
from goodwill.conversations.models import SavedView
from goodwill.conversations.selectors import BUILT_IN_VIEWS
from goodwill.conversations.services import set_tags
from goodwill.conversations.tests.factories import make_conversation

pytestmark = pytest.mark.django_db

# Session, agent, hidden teams, custom fields, the page (one query, or one per team or status
# merged), tags, the rows' badges (one per registered provider), cached counts, saved views,
# teams, needs, unread notices; the assignee list is a cached fragment.
MOST_QUERIES = 18


def queries_per_view(client) -> dict[str, int]:
    found = {}
    for slug in BUILT_IN_VIEWS:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/", {"view": slug}).status_code == 200
        found[slug] = len(captured.captured_queries)
    return found


def test_the_inbox_runs_as_many_queries_for_many_rows_as_for_few(client, agent, admin, support_team):
    client.force_login(agent)
    make_conversation(assignee=agent, team=support_team)
    make_conversation()  # a row in "unassigned" too: an empty page asks for no tags or badges
    client.get("/")  # the assignee list's fragment is cached from here on
    cache.clear()
    few = queries_per_view(client)

    for n in range(12):
        conversation = make_conversation(
            assignee=agent if n % 2 else None, team=support_team if n % 3 else None
        )
        set_tags(conversation, [f"tag-{n}", "common"], by=agent)
    SavedView.objects.create(owner=agent, name="Mine", filters={"tag": "common"}, sort="recent")
    SavedView.objects.create(owner=admin, name="Shared", filters={}, sort="recent", is_shared=True)
    notify([agent], key="n", title="A notice")
    cache.clear()
    many = queries_per_view(client)

    assert many == few
    assert max(many.values()) <= MOST_QUERIES
