"""The conversation page reads a fixed number of queries, whatever the conversation holds (#19).

Panels from other apps ask one existence query together (`panels.has_rows`) and skip their
own reads when they have nothing, and share what they read (`panels.shared`); the counts
here must not grow with messages or with the panels' rows.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.callbacks.services import schedule_callback
from goodwill.conversations.services import add_note, add_reply
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.internal.services import ask_team
from goodwill.memory.services import add_fact
from goodwill.promises.services import confirm_promise
from goodwill.recovery.services import open_case_by_hand
from goodwill.voice.improvements import log_extra_mile, mark_complaint

pytestmark = pytest.mark.django_db

# At most (session and agent included; 40-45 before panels shared their reads):
EMPTY_PAGE = 26  # a conversation without panel rows
BUSY_PAGE = 32  # with promises, a complaint, extra miles, call-backs, a case, facts and a linked request


def queries_of(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def add_panel_rows(conversation, agent, it_team, round_: int) -> None:  # type: ignore[no-untyped-def]
    soon = timezone.now() + timedelta(days=1 + round_)
    for index in range(3):
        add_reply(conversation, by=agent, text=f"Reply {round_}.{index}")
        add_note(conversation, by=agent, text=f"Note {round_}.{index}")
    confirm_promise(conversation, by=agent, text=f"We'll ship it ({round_})", due_at=soon)
    log_extra_mile(conversation, by=agent, what=f"Sent flowers ({round_})", cost=Decimal("5"))
    schedule_callback(conversation, by=agent, due_at=soon, phone="+44 20 7946 0000", note=f"Round {round_}")
    open_case_by_hand(
        conversation.customer, by=agent, reason=f"Broken twice ({round_})", conversation=conversation
    )
    add_fact(conversation.customer, category="other", text=f"Likes tea ({round_})", by=agent)
    ask_team(conversation, by=agent, team=it_team, subject=f"Check the router ({round_})", text="Please look")


def test_the_conversation_page_reads_the_same_number_of_queries_however_full(client, agent):  # type: ignore[no-untyped-def]
    it_team = Team.objects.create(name="IT", slug="it", accepts_internal_requests=True)
    with subscribed({}):
        conversation = make_conversation(assignee=agent, subject="Router keeps dropping")
    url = reverse("conversations:detail", args=[conversation.number])
    client.force_login(agent)
    client.get(url)  # the session, and the per-process caches
    empty = queries_of(client, url)
    with subscribed({}):
        mark_complaint(conversation, by=agent, summary="Dropped calls")
        add_panel_rows(conversation, agent, it_team, 1)
    busy = queries_of(client, url)
    with subscribed({}):
        for round_ in (2, 3):
            add_panel_rows(conversation, agent, it_team, round_)
    page = client.get(url).content.decode()
    assert "Reply 3.2" in page and "Sent flowers (3)" in page and "Likes tea (3)" in page
    assert queries_of(client, url) == busy
    assert empty <= EMPTY_PAGE and busy <= BUSY_PAGE
