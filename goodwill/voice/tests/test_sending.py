"""Sending the two-axis survey, NPS and CES (`voice.sending`): a mail that fails or that another
worker is sending goes out on a later run; a survey for a customer without an email address is
marked sent (the portal shows it) and does not stay due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from goodwill.conversations.services import change_status, open_conversation
from goodwill.core.deliveries import delivery_lease
from goodwill.core.models import Delivery, Event
from goodwill.customers.services import create_customer
from goodwill.voice import pulses, services
from goodwill.voice.models import Pulse, Survey, SurveyPolicy

pytestmark = pytest.mark.django_db


def _mail_fails(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # nothing listens there
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2


def _mail_works(settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_survey_whose_mail_failed_is_sent_on_the_next_run(solved, settings):
    survey = Survey.objects.get()
    _mail_fails(settings)
    assert services.send_due_surveys(survey.send_after) == "0 surveys mailed, 0 skipped"
    assert Survey.objects.get().sent_at is None  # still due
    _mail_works(settings)
    assert services.send_due_surveys(survey.send_after) == "1 surveys mailed, 0 skipped"
    assert len(mail.outbox) == 1 and Survey.objects.get().sent_at == survey.send_after


def test_a_survey_another_worker_is_sending_waits_for_the_next_run(solved):
    survey = Survey.objects.get()
    Delivery.objects.create(
        key=f"survey:{survey.pk}", state=Delivery.State.SENDING, lease_until=timezone.now() + delivery_lease()
    )
    assert services.send_due_surveys(survey.send_after) == "0 surveys mailed, 0 skipped"
    assert Survey.objects.get().sent_at is None and mail.outbox == []


def test_a_ces_for_a_customer_without_an_address_is_marked_sent_for_the_portal(support_team, agent):
    SurveyPolicy.objects.create(team=support_team, ask_effort=True)
    caller = create_customer(name="Phone only")
    conversation = open_conversation(
        customer=caller, subject="Call", text="t", channel="phone", team=support_team
    )[0]
    change_status(conversation, "solved", by=agent)
    services.plan_survey(
        Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
    )
    now = timezone.now() + timedelta(days=2)
    assert pulses.send_due_pulses(now) == (0, 0)
    assert Pulse.objects.get().sent_at == now and mail.outbox == []  # not due any more
    assert services.portal_survey(caller, conversation.pk) is not None


def test_a_pulse_whose_mail_failed_is_sent_on_the_next_run(support_team, customer, settings):
    pulse = Pulse.objects.create(kind="nps", customer=customer, team=support_team, send_after=timezone.now())
    _mail_fails(settings)
    assert pulses.send_due_pulses(pulse.send_after) == (0, 0)
    assert Pulse.objects.get().sent_at is None
    _mail_works(settings)
    assert pulses.send_due_pulses(pulse.send_after) == (1, 0)
    assert len(mail.outbox) == 1
