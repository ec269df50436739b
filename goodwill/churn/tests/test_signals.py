"""Each source of a bad last experience lists a silent customer, in its own words; each can be switched off."""

from __future__ import annotations

from datetime import timedelta

import pytest

from goodwill.churn.models import ChurnSettings
from goodwill.churn.tests.conftest import NOW
from goodwill.churn.watch import compute_watch
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import set_need_met
from goodwill.expectations.models import SlaTarget
from goodwill.listening.models import ConversationMood, MoodTurn
from goodwill.promises.models import Promise
from goodwill.voice.models import Complaint, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def last(history) -> Conversation:  # type: ignore[no-untyped-def]
    return history("Silent Sue", [116, 95, 74, 53])[-1]


def reasons() -> list[str]:
    entries = compute_watch(NOW).entries
    return entries[0].reasons if entries else []


def survey(conversation: Conversation, *, outcome: str = "yes", conduct: int | None = 5) -> Survey:
    return Survey.objects.create(
        conversation=conversation,
        customer=conversation.customer,
        send_after=NOW,
        outcome=outcome,
        conduct=conduct,
        answered_at=conversation.created_at + timedelta(days=1),
    )


def test_a_good_feedback_answer_lists_nobody(last):
    survey(last, outcome="yes", conduct=4)
    assert reasons() == []


def test_feedback_need_not_met_or_poor_conduct(last, support_team):
    survey(last, outcome="partly", conduct=2)
    assert reasons() == ["feedback said the need was only partly met and rated how they were treated 2/5"]
    ChurnSettings.objects.create(team=support_team, conduct_at_most=1)
    assert reasons() == ["feedback said the need was only partly met"]


def test_an_unanswered_survey_is_no_signal(last):
    Survey.objects.create(conversation=last, customer=last.customer, send_after=NOW, outcome="no")
    assert reasons() == []


def test_a_late_promise_and_an_unkept_overdue_one(last):
    due = NOW - timedelta(days=50)
    common = {"conversation": last, "customer": last.customer, "due_at": due, "created_at": last.created_at}
    Promise.objects.create(text="I'll call you back.", state="closed", outcome="late", **common)
    Promise.objects.create(text="I'll send the invoice.", state="open", overdue_at=due, **common)
    Promise.objects.create(text="Kept one.", state="closed", outcome="kept_on_time", **common)
    day = f"{due.day} {due:%b}"
    assert reasons() == [
        f"promise “I'll call you back.” due {day} was kept late",
        f"promise “I'll send the invoice.” due {day} is still not kept",
    ]


def test_the_mood_fell(last, support_team):
    message = last.messages.get()
    ConversationMood.objects.create(
        conversation=last, message=message, message_at=last.created_at, sentiment=-0.62, mood="angry"
    )
    assert reasons() == ["their last message read angry (sentiment -0.62)"]
    ChurnSettings.objects.create(team=support_team, mood_at_most=-0.7)
    assert reasons() == []


def test_a_mood_turn_is_named_once(last):
    first = last.messages.get()
    second = Message.objects.create(
        conversation=last,
        direction="inbound",
        channel="email",
        text="This is awful",
        created_at=last.created_at,
    )
    MoodTurn.objects.create(
        conversation=last,
        message=second,
        previous=first,
        from_sentiment=0.2,
        to_sentiment=-0.7,
        at=last.created_at,
    )
    ConversationMood.objects.create(
        conversation=last, message=second, message_at=last.created_at, sentiment=-0.7
    )
    assert reasons() == ["their mood turned for the worse (+0.20 → -0.70)"]


def test_need_not_met_on_the_conversation(last):
    set_need_met(last, Conversation.NeedMet.NO, by=None)
    assert reasons() == ["their need was not met"]


def test_a_breached_service_level(last):
    SlaTarget.objects.create(
        conversation=last,
        policy_name="Standard",
        kind="first_response",
        status="done",
        target_seconds=3600,
        started_at=last.created_at,
        outcome="breached",
    )
    assert reasons() == ["the first response target was missed"]


def test_a_complaint(last):
    Complaint.objects.create(conversation=last, customer=last.customer, summary="Charged twice")
    assert reasons() == ["they complained: “Charged twice”"]


def test_each_signal_can_be_switched_off_and_several_read_strongest_first(last, support_team):
    Complaint.objects.create(conversation=last, customer=last.customer)
    set_need_met(last, Conversation.NeedMet.PARTLY, by=None)
    assert reasons() == ["they complained", "their need was only partly met"]
    ChurnSettings.objects.create(team=support_team, use_complaints=False)
    assert reasons() == ["their need was only partly met"]
    ChurnSettings.objects.filter(team=support_team).update(use_need=False)
    assert reasons() == []
