"""The worker sets a case's result from what the customer did next (the "recovery.results" job)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.core.models import Event
from goodwill.core.periodic import run_job
from goodwill.recovery import services
from goodwill.recovery.jobs import measure_results
from goodwill.recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db


def a_case(conversation, agent):  # type: ignore[no-untyped-def]
    return services.open_case_by_hand(
        conversation.customer, by=agent, reason="Broken delivery", conversation=conversation
    )[0]


def after_follow_up(case, days=1):  # type: ignore[no-untyped-def]
    return case.follow_up_at + timedelta(days=days)


def test_a_new_conversation_after_the_case_means_recovered(conversation, agent, customer):
    from goodwill.conversations.tests.factories import make_conversation

    case = a_case(conversation, agent)
    assert measure_results(timezone.now()) is None  # before the follow-up: nothing to say
    make_conversation(customer=customer, subject="Ordering more")
    assert measure_results(after_follow_up(case)) == "1 recovered"
    assert measure_results(after_follow_up(case)) is None  # a repeated run closes nothing twice
    case.refresh_from_db()
    assert (case.status, case.result) == ("closed", "recovered")
    assert "new conversation" in case.result_note
    assert Event.objects.filter(kind="recovery.closed").count() == 1


def test_a_return_posted_to_the_api_means_recovered(conversation, agent, customer):
    case = a_case(conversation, agent)
    from goodwill.core.services import record_event

    record_event(Event.Kind.CUSTOMER_RETURNED, customer=customer, after={"note": "renewed"})
    measure_results(after_follow_up(case))
    case.refresh_from_db()
    assert case.result == "recovered"


def _answer(conversation, **answer):  # type: ignore[no-untyped-def]
    from goodwill.voice.models import Survey
    from goodwill.voice.services import record_answer

    now = timezone.now()
    survey = Survey.objects.create(
        conversation=conversation,
        customer=conversation.customer,
        team=conversation.team,
        send_after=now,
        sent_at=now,
    )
    record_answer(survey, **answer)


def test_rating_the_follow_up_well_or_badly(conversation, agent, customer):
    from goodwill.conversations.tests.factories import make_conversation

    good = a_case(conversation, agent)
    _answer(conversation, outcome="yes", conduct=5)
    measure_results(after_follow_up(good))
    good.refresh_from_db()
    assert good.result == "recovered"

    other = make_conversation(customer=customer, subject="Second try")
    Event.objects.filter(kind="conversation.opened", conversation=other).delete()  # not a return in this test
    bad = a_case(other, agent)
    _answer(other, outcome="no")
    measure_results(after_follow_up(bad))
    bad.refresh_from_db()
    assert (bad.result, bad.result_note) == ("not_recovered", "The customer rated the follow-up badly.")


def test_leaving_means_not_recovered(conversation, agent, customer):
    from goodwill.voice.services import unsubscribe

    case = a_case(conversation, agent)
    unsubscribe(customer)
    measure_results(after_follow_up(case))
    case.refresh_from_db()
    assert case.result == "not_recovered" and "left" in case.result_note


def test_silence_past_the_teams_wait_means_no_response(conversation, agent):
    case = a_case(conversation, agent)
    assert measure_results(after_follow_up(case, days=13)) is None
    assert measure_results(after_follow_up(case, days=14)) == "1 no response"


def test_the_job_is_on_the_workers_clock(conversation, agent):
    from goodwill.schedules import PERIODIC

    assert PERIODIC["recovery.results"][0] == "goodwill.recovery.jobs.measure_results"
    case = a_case(conversation, agent)
    RecoveryCase.objects.filter(pk=case.pk).update(follow_up_at=timezone.now() - timedelta(days=30))
    run_job("recovery.results")
    case.refresh_from_db()
    assert case.result == "no_response"
