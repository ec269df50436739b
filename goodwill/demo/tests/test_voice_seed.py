"""The demo's voice rows: about one two-axis answer per five conversations, NPS/CES answers and
extra-mile actions; a second run adds nothing twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.services import create_customer
from goodwill.demo.voice import seed_voice
from goodwill.voice.models import ExtraMile, Pulse, Survey

pytestmark = pytest.mark.django_db


def test_voice_rows_scale_with_the_conversations_and_are_not_added_twice(agent):
    now = timezone.now()
    with subscribed({}):
        for n in range(200):
            person = create_customer(name=f"P{n}", emails=[f"p{n}@customer.test"])
            conversation = open_conversation(customer=person, subject="q", text="t", channel="email")[0]
            ended = now - timedelta(days=5 + n % 100)
            finished = conversation.pk % 5 != 1  # 80% solved, like the demo
            Conversation.objects.filter(pk=conversation.pk).update(
                status="solved" if finished else "open",
                solved_at=ended if finished else None,
                assignee=agent,
                need_met="yes" if finished else "",
            )
    made = seed_voice(anchor=int(now.timestamp()))
    answers = Survey.objects.filter(answered_at__isnull=False)
    assert 25 <= answers.count() <= 55  # about 40 (a fifth of 200)
    assert made["survey answers"] == answers.count()
    assert all(s.outcome == "yes" and 1 <= s.conduct <= 5 and s.answered_at <= now for s in answers)
    assert Survey.objects.filter(sent_at__isnull=False, answered_at__isnull=True).exists()
    assert Pulse.objects.filter(kind="nps", score__isnull=False).count() == made["nps"] > 0
    assert ExtraMile.objects.count() == made["extra miles"] > 0
    assert seed_voice(anchor=int(now.timestamp())) == {}
    assert Survey.objects.filter(answered_at__isnull=False).count() == answers.count()
