"""The demo seeder adds realistic recovery cases once (goodwill/demo/recovery.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from goodwill.demo.generator import seed_demo
from goodwill.demo.recovery import seed_recovery
from goodwill.demo.writer import epoch_seconds
from goodwill.recovery.models import CaseStep, Playbook, RecoveryCase

ANCHOR = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_seeded_cases_have_steps_owners_and_every_result():
    seed_demo(conversations=1500, seed=7, anchor=ANCHOR, batch_size=500, parallel=False)
    cases = list(RecoveryCase.objects.select_related("conversation"))
    assert len(cases) > 20
    assert all(
        c.owner_id == c.conversation.assignee_id and c.customer_id == c.conversation.customer_id
        for c in cases
    )
    assert {c.result for c in cases if c.status == "closed"} == {"recovered", "not_recovered", "no_response"}
    assert any(c.is_open for c in cases)
    assert CaseStep.objects.count() == 4 * len(cases)
    assert CaseStep.objects.filter(kind="gesture", cost__gt=0).exists()
    assert Playbook.objects.filter(team__isnull=True).exists()
    assert seed_recovery(anchor=epoch_seconds(ANCHOR)) == 0  # a second run adds nothing
