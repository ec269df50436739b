"""The demo seeder adds realistic promises once (goodwill/demo/promises.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from goodwill.conversations.models import Conversation
from goodwill.demo.generator import seed_demo
from goodwill.demo.promises import seed_promises
from goodwill.demo.writer import epoch_seconds
from goodwill.promises.models import Promise

ANCHOR = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_seeded_promises_have_owners_due_times_and_every_outcome():
    seed_demo(conversations=1500, seed=7, anchor=ANCHOR, batch_size=500, parallel=False)
    promises = list(Promise.objects.select_related("conversation"))
    assert len(promises) > 50
    assert all(
        p.owner_id == p.conversation.assignee_id and p.customer_id == p.conversation.customer_id
        for p in promises
    )
    outcomes = {p.outcome for p in promises if p.state == Promise.State.CLOSED}
    assert outcomes == set(Promise.Outcome.values)
    assert any(p.is_overdue for p in promises) and any(p.is_open and p.overdue_at is None for p in promises)
    assert all(p.reason for p in promises if p.outcome in ("broken", "cancelled"))
    # "Promises due" reads the conversations' flag: set on exactly those with an overdue promise.
    flagged = set(Conversation.objects.filter(promise_overdue=True).values_list("pk", flat=True))
    assert flagged == {p.conversation_id for p in promises if p.is_overdue}
    assert seed_promises(anchor=epoch_seconds(ANCHOR)) == 0  # a second run adds nothing
