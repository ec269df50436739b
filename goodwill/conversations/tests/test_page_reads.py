"""Reading a page never writes to the database (#19).

On SQLite a write waits for the one write lock, which incoming mail holds most of the
time under load: an inbox that wrote (a fragment refreshed in the database cache) took
seconds now and then. These pages must only read, warm cache or cold.
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goodwill.conversations.selectors import BUILT_IN_VIEWS
from goodwill.conversations.tests.factories import make_conversation

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE")


def writes_of(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(WRITES)
    ]


@pytest.fixture
def pages(client, agent, teammate) -> list[str]:
    conversation = make_conversation(assignee=agent, subject="Parcel lost")
    client.force_login(agent)
    return [
        *(f"{reverse('conversations:inbox')}?view={slug}" for slug in BUILT_IN_VIEWS),
        reverse("conversations:detail", args=[conversation.number]),
        f"{reverse('search:results')}?q=parcel",
    ]


def test_pages_write_nothing_with_a_cold_cache(client, pages):
    for url in pages:
        caches["local"].clear()
        caches["default"].clear()
        assert writes_of(client, url) == [], url


def test_pages_write_nothing_with_a_warm_cache(client, pages):
    for url in pages:
        client.get(url)
        assert writes_of(client, url) == [], url


def test_the_assignee_list_is_still_shown_and_kept_between_pages(client, pages, agent, teammate):
    inbox, conversation = pages[0], pages[-2]
    first = client.get(inbox).content.decode()
    assert '<datalist id="agent-options">' in first
    assert f'<option value="{teammate.email}">' in first
    with CaptureQueriesContext(connection) as warm:
        again = client.get(conversation).content.decode()
    assert f'<option value="{teammate.email}">' in again
    caches["local"].clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(conversation)
    # Kept in the process's memory between pages: listing the agents is the one query saved.
    assert len(cold.captured_queries) == len(warm.captured_queries) + 1
