"""The demo seeder adds realistic feedback, complaints and improvements once (goodwill/demo/voice.py, goodwill/demo/complaints.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from goodwill.conversations.models import Conversation
from goodwill.demo.complaints import seed_complaints
from goodwill.demo.generator import seed_demo
from goodwill.demo.writer import epoch_seconds
from goodwill.voice.models import Complaint, Improvement, Survey
from goodwill.voice.returns import recompute_returns

ANCHOR = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_seeded_feedback_and_complaints_look_real_and_come_once():
    seed_demo(conversations=1500, seed=7, anchor=ANCHOR, batch_size=500, parallel=False)
    answered = Survey.objects.filter(answered_at__isnull=False).select_related("conversation")
    assert 150 < answered.count() < 600  # about one answer per five conversations
    assert {s.outcome for s in answered} == {"yes", "partly", "no"} and {s.conduct for s in answered} == {
        1,
        2,
        3,
        4,
        5,
    }
    assert all(s.conversation.solved_at and s.answered_at > s.conversation.solved_at for s in answered)
    assert all(s.answered_at < ANCHOR for s in answered)
    came_back = {s.pk: s.came_back_after for s in answered}
    assert any(came_back.values())
    recompute_returns(Survey.objects.all())  # what the seeder stored is what the rule says
    # The "Bad feedback" view's flag on the conversation is the surveys' (as voice.services keeps it).
    waiting = Survey.objects.filter(needs_follow_up=True, followed_up_at__isnull=True)
    flagged = Conversation.objects.filter(feedback_follow_up=True).values_list("pk", flat=True)
    assert set(flagged) == set(waiting.values_list("conversation_id", flat=True)) != set()
    assert came_back == dict(Survey.objects.filter(pk__in=came_back).values_list("pk", "came_back_after"))
    complaints = Complaint.objects.all()
    assert complaints.count() > 20
    assert (
        complaints.filter(improvement__isnull=False).exists()
        and complaints.filter(notified_at__isnull=False).exists()
    )
    assert set(Improvement.objects.values_list("status", flat=True)) == set(Improvement.Status.values)
    assert seed_complaints(anchor=epoch_seconds(ANCHOR)) == {"complaints": 0}  # a second run adds nothing
