"""The mood-turn trigger's batch form: the turns of a scored batch open the cases the handler
opens one event at a time, once, in a number of queries that does not grow with the batch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goodwill.conversations.models import Message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import handled, run_subscriber, subscribed
from goodwill.core.models import Event
from goodwill.listening.models import MessageScore
from goodwill.listening.turns import record_turn
from goodwill.recovery.models import CaseStep, RecoveryCase, TriggerSettings
from goodwill.recovery.services import open_case
from goodwill.recovery.tests.conftest import RECOVERY, commit

pytestmark = pytest.mark.django_db

PATH = RECOVERY + "on_mood_turned"


def turn_events(customer, team, assignee, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """`count` conversations whose mood turned; the ids of their `mood.turned` events."""
    with subscribed({}):
        for _ in range(count):
            conversation = make_conversation(customer=customer, team=team, assignee=assignee, text="Hi")
            first = conversation.messages.get()
            angry = Message.objects.create(
                conversation=conversation, direction="in", author_customer=customer,
                text="This is useless, I am furious.", created_at=timezone.now(),
            )  # fmt: skip
            record_turn(
                angry, MessageScore(message=angry, scored=True, sentiment=-0.8), previous=(first.pk, 0.3)
            )
        commit()
    return list(Event.objects.filter(kind=Event.Kind.MOOD_TURNED).order_by("pk").values_list("pk", flat=True))


def cases() -> list[tuple]:
    return sorted(
        RecoveryCase.objects.values_list(
            "source_key", "customer_id", "conversation_id", "team_id", "owner_id", "trigger", "reason"
        )
    )


def plans() -> list[tuple]:
    """Each case's steps and dates, relative to when it opened."""
    return sorted(
        (case.source_key, case.due_at - case.opened_at, case.follow_up_at - case.opened_at, steps)
        for case in RecoveryCase.objects.all()
        for steps in [
            [
                (s.position, s.kind, s.title, s.due_at - case.opened_at)
                for s in case.steps.order_by("position")
            ]
        ]
    )


def test_a_batch_of_turns_opens_the_cases_one_at_a_time_opens(customer, support_team, agent):
    ids = turn_events(customer, support_team, agent, 3)
    for pk in ids:
        run_subscriber.call(PATH, [pk])  # one event a task: the handler itself
    one_by_one = cases(), plans()
    assert len(one_by_one[0]) == 3 and all(case[4] == agent.pk for case in one_by_one[0])
    opened = Event.objects.filter(kind=Event.Kind.RECOVERY_OPENED).count()
    RecoveryCase.objects.all().delete()
    Event.objects.filter(kind=Event.Kind.RECOVERY_OPENED).delete()
    from goodwill.core.models import EventReceipt

    EventReceipt.objects.filter(subscriber=PATH).delete()
    run_subscriber.call(PATH, ids)  # the batch form
    assert all(handled(PATH, pk) for pk in ids)
    assert (cases(), plans()) == one_by_one
    assert Event.objects.filter(kind=Event.Kind.RECOVERY_OPENED).count() == opened == 3
    assert CaseStep.objects.count() == 3 * len(one_by_one[1][0][3])
    run_subscriber.call(PATH, ids)  # a retry or a second worker: nothing new
    assert (cases(), plans()) == one_by_one


def test_a_batch_skips_a_case_already_open_and_the_teams_threshold(customer, support_team, agent):
    ids = turn_events(customer, support_team, agent, 2)
    first = Event.objects.get(pk=ids[0])
    existing, _ = open_case(
        customer, trigger="mood_turn", source_key=f"mood:{first.subject_id}", reason="By hand"
    )
    run_subscriber.call(PATH, ids)
    assert RecoveryCase.objects.count() == 2
    assert RecoveryCase.objects.get(pk=existing.pk).reason == "By hand"
    TriggerSettings.objects.create(team=support_team, mood_turn_to=-0.9)
    later = turn_events(customer, support_team, agent, 2)[2:]
    run_subscriber.call(PATH, later)
    assert RecoveryCase.objects.count() == 2  # -0.8 is not sharp enough for this team


def test_the_batch_form_reads_as_much_for_two_turns_as_for_six(customer, support_team, agent):
    ids = turn_events(customer, support_team, agent, 8)
    counts = []
    for batch in (ids[:2], ids[2:]):
        with CaptureQueriesContext(connection) as queries:
            run_subscriber.call(PATH, batch)
        counts.append(len(queries))
    assert RecoveryCase.objects.count() == 8
    assert counts[0] == counts[1]
