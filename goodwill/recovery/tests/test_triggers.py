"""Each failure opens exactly one case, through the worker, also when its event is handled twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.core.events import subscribed
from goodwill.core.models import Event
from goodwill.recovery import subscribers
from goodwill.recovery.models import RecoveryCase, TriggerSettings
from goodwill.recovery.tests.conftest import RECOVERY, run_queued_subscribers, run_twice

pytestmark = pytest.mark.django_db

Trigger = RecoveryCase.Trigger


def only(topic: str, handler: str) -> dict[str, tuple[str, ...]]:
    return {topic: (RECOVERY + handler,)}


def test_a_breached_sla_opens_one_case(customer, support_team, agent):
    from goodwill.expectations import jobs
    from goodwill.expectations.models import Schedule, SlaPolicy

    Schedule.objects.create(
        name="Always",
        time_zone="UTC",
        is_default=True,
        hours={str(day): [["00:00", "00:00"]] for day in range(7)},
    )
    SlaPolicy.objects.create(
        name="Standard",
        position=10,
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=24 * 60,
        warn_before_minutes=15,
    )
    clocks = {"conversation.opened": ("goodwill.expectations.subscribers.follow_conversation",)}
    with subscribed({**clocks, **only("sla.breached", "on_sla_breached")}):
        from goodwill.conversations.tests.factories import make_conversation

        conversation = make_conversation(customer=customer, team=support_team, assignee=agent)
        run_queued_subscribers()
        later = timezone.now() + timedelta(hours=2)
        jobs.sweep(later)
        jobs.sweep(later)  # a second sweep finds nothing new
        assert Event.objects.filter(kind="sla.breached").count() == 1
        run_twice()
    case = RecoveryCase.objects.get()
    assert (case.trigger, case.conversation, case.owner) == (Trigger.SLA_BREACH, conversation, agent)
    assert case.source_key.startswith("sla:") and "First response" in case.reason


def test_a_broken_promise_opens_one_case(conversation, agent):
    from goodwill.promises.services import close_promise, confirm_promise

    with subscribed(only("promise.broken", "on_promise_broken")):
        promise = confirm_promise(
            conversation, by=agent, text="I'll call you tomorrow.", due_at=timezone.now() + timedelta(days=1)
        )
        close_promise(promise, by=agent, closing="broken", reason="Engineer was ill")
        run_twice()
    case = RecoveryCase.objects.get()
    assert (case.trigger, case.source_key) == (Trigger.PROMISE_BROKEN, f"promise:{promise.pk}")


def test_a_late_promise_opens_a_case_only_when_the_team_asks(conversation, agent, support_team):
    from goodwill.promises.services import close_promise, confirm_promise

    with subscribed(only("promise.late", "on_promise_late")):
        first = confirm_promise(
            conversation,
            by=agent,
            text="I'll send the label today.",
            due_at=timezone.now() - timedelta(days=1),
        )
        close_promise(first, by=agent, closing="kept")
        run_twice()
        assert not RecoveryCase.objects.exists()  # off by default
        TriggerSettings.objects.create(team=support_team, on_promise_late=True)
        second = confirm_promise(
            conversation,
            by=agent,
            text="I'll refund you by Monday.",
            due_at=timezone.now() - timedelta(days=1),
        )
        close_promise(second, by=agent, closing="kept")
        run_twice()
    assert list(RecoveryCase.objects.values_list("trigger", "source_key")) == [
        (Trigger.PROMISE_LATE, f"promise:{second.pk}")
    ]


def _survey(conversation):  # type: ignore[no-untyped-def]
    from goodwill.voice.models import Survey

    now = timezone.now()
    return Survey.objects.create(
        conversation=conversation,
        customer=conversation.customer,
        team=conversation.team,
        send_after=now,
        sent_at=now,
    )


def test_a_bad_answer_opens_one_case_for_the_whole_survey(conversation):
    from goodwill.voice.services import record_answer

    survey = _survey(conversation)
    with subscribed(only("feedback.answered", "on_feedback_answered")):
        record_answer(survey, outcome="no")
        record_answer(survey, conduct=1)  # the same failure, told twice
        run_twice()
    case = RecoveryCase.objects.get()
    assert (case.trigger, case.source_key) == (Trigger.BAD_OUTCOME, f"feedback:{survey.pk}")


def test_feedback_thresholds_follow_the_team_settings(conversation, support_team):
    from goodwill.voice.services import record_answer

    survey = _survey(conversation)
    with subscribed(only("feedback.answered", "on_feedback_answered")):
        record_answer(survey, outcome="partly", conduct=3)
        run_twice()
        assert not RecoveryCase.objects.exists()
    rules = TriggerSettings(team=support_team, bad_outcomes="partly", conduct_at_most=3)
    assert subscribers.bad_feedback({"outcome": "partly"}, rules) == (
        Trigger.BAD_OUTCOME,
        "Customer said their need was met: partly",
    )
    assert subscribers.bad_feedback({"conduct": 3}, rules)[0] == Trigger.BAD_CONDUCT  # type: ignore[index]
    rules.on_bad_conduct = False
    assert subscribers.bad_feedback({"conduct": 1}, rules) is None


def test_a_sharp_turn_in_mood_opens_one_case(conversation, customer):
    from goodwill.listening.models import MessageScore
    from goodwill.listening.turns import record_turn

    first = conversation.messages.get()
    with subscribed(only("mood.turned", "on_mood_turned")):
        from goodwill.conversations.models import Message

        angry = Message.objects.create(
            conversation=conversation,
            direction="in",
            author_customer=customer,
            text="This is useless, I am furious.",
            created_at=timezone.now(),
        )
        score = MessageScore(message=angry, scored=True, sentiment=-0.8)
        turn = record_turn(angry, score, previous=(first.pk, 0.3))
        record_turn(angry, score, previous=(first.pk, 0.3))  # re-scoring keeps one turn
        run_twice()
    case = RecoveryCase.objects.get()
    assert turn is not None and (case.trigger, case.source_key) == (Trigger.MOOD_TURN, f"mood:{turn.pk}")


def test_a_mild_turn_stays_under_the_teams_threshold(conversation, customer, support_team):
    from goodwill.conversations.models import Message
    from goodwill.listening.models import MessageScore
    from goodwill.listening.turns import record_turn

    TriggerSettings.objects.create(team=support_team, mood_turn_to=-0.9)
    first = conversation.messages.get()
    with subscribed(only("mood.turned", "on_mood_turned")):
        upset = Message.objects.create(
            conversation=conversation,
            direction="in",
            author_customer=customer,
            text="Not great.",
            created_at=timezone.now(),
        )
        record_turn(upset, MessageScore(message=upset, scored=True, sentiment=-0.6), previous=(first.pk, 0.3))
        run_twice()
    assert Event.objects.filter(kind="mood.turned").count() == 1
    assert not RecoveryCase.objects.exists()


def test_a_complaint_opens_one_case(conversation, agent):
    from goodwill.voice.improvements import mark_complaint

    with subscribed(only("complaint.marked", "on_complaint_marked")):
        complaint = mark_complaint(conversation, by=agent, summary="Third outage this month")
        mark_complaint(conversation, by=agent)  # marked again: the same complaint
        run_twice()
    case = RecoveryCase.objects.get()
    assert (case.trigger, case.source_key) == (Trigger.COMPLAINT, f"complaint:{complaint.pk}")
    assert "Third outage" in case.reason


def test_each_reopening_opens_one_case(conversation, agent):
    from goodwill.conversations.services import change_status

    with subscribed(only("conversation.reopened", "on_reopened")):
        change_status(conversation, "solved", by=agent)
        change_status(conversation, "open", by=agent)
        run_twice()
        assert RecoveryCase.objects.filter(trigger=Trigger.REOPENED).count() == 1
        change_status(conversation, "solved", by=agent)
        change_status(conversation, "open", by=agent)
        run_twice()
    assert RecoveryCase.objects.filter(trigger=Trigger.REOPENED).count() == 2


def test_a_trigger_switched_off_opens_nothing(conversation, agent):
    from goodwill.voice.improvements import mark_complaint

    TriggerSettings.objects.create(team=None, on_complaint=False)  # the default for every team
    with subscribed(only("complaint.marked", "on_complaint_marked")):
        mark_complaint(conversation, by=agent)
        assert run_twice()
    assert not RecoveryCase.objects.exists()


def test_the_handler_itself_is_idempotent(conversation, agent):
    """Even without the receipt (two workers racing past it), the source key opens one case."""
    from goodwill.voice.improvements import mark_complaint

    with subscribed({}):
        mark_complaint(conversation, by=agent)
    event = Event.objects.get(kind="complaint.marked")
    subscribers.on_complaint_marked(event)
    subscribers.on_complaint_marked(event)
    assert RecoveryCase.objects.count() == 1
    assert Event.objects.filter(kind="recovery.opened").count() == 1


def test_the_owner_hears_of_a_case_a_trigger_opened(conversation, agent):
    from goodwill.accounts.models import Notification
    from goodwill.voice.improvements import mark_complaint

    with subscribed(only("complaint.marked", "on_complaint_marked")):
        mark_complaint(conversation, by=agent)
        run_twice()
    case = RecoveryCase.objects.get()
    assert list(Notification.objects.filter(agent=agent).values_list("key", flat=True)) == [
        f"recovery:{case.pk}"
    ]
