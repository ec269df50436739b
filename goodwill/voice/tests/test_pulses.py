"""NPS and CES: who is asked (team, period, cooldown shared with the two-axis survey, opt-out),
mailed once with one-click links, answered by signed links that resist tampering, replay and expiry."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import change_status, open_conversation
from goodwill.core.models import Event
from goodwill.customers.services import create_customer
from goodwill.voice import pulses, services
from goodwill.voice.models import Pulse, Survey, SurveyPolicy, SurveyWording, Unsubscribe

pytestmark = pytest.mark.django_db


def talked(customer, team, *, days_ago):  # type: ignore[no-untyped-def]
    conversation = open_conversation(
        customer=customer, subject="Hello", text="A question", channel="email", team=team
    )[0]
    at = timezone.now() - timedelta(days=days_ago)
    Conversation.objects.filter(pk=conversation.pk).update(created_at=at, last_message_at=at)
    return conversation


@pytest.fixture
def nps_policy(support_team):  # type: ignore[no-untyped-def]
    return SurveyPolicy.objects.create(team=support_team, nps_every_months=3)


def test_nps_asks_customers_who_talked_to_the_team_in_the_period(nps_policy, support_team, billing_team):
    recent = create_customer(name="Recent", emails=["recent@customer.test"])
    old = create_customer(name="Old", emails=["old@customer.test"])
    other_team = create_customer(name="Billing only", emails=["billing@customer.test"])
    no_email = create_customer(name="Phone only")
    internal = create_customer(name="Colleague", emails=["colleague@customer.test"])
    internal.is_internal = True
    internal.save()
    for person, days in ((recent, 10), (old, 120), (no_email, 5), (internal, 5)):
        talked(person, support_team, days_ago=days)
    talked(other_team, billing_team, days_ago=5)
    now = timezone.now()
    assert list(pulses.nps_candidates(nps_policy, now)) == [recent]
    assert pulses.plan_nps(now) == 1
    assert pulses.plan_nps(now) == 0  # not twice in the period
    pulse = Pulse.objects.get()
    assert (pulse.kind, pulse.customer, pulse.team) == ("nps", recent, support_team)
    # After the period the customer is asked again.
    assert pulses.plan_nps(now + timedelta(days=95)) == 0  # no conversation in the new period
    talked(recent, support_team, days_ago=-90)
    assert pulses.plan_nps(now + timedelta(days=95)) == 1


def test_a_team_without_nps_is_not_asked_and_the_default_covers_teams_without_a_policy(
    support_team, billing_team
):
    person = create_customer(name="Ann", emails=["ann@customer.test"])
    talked(person, billing_team, days_ago=3)
    SurveyPolicy.objects.create(team=support_team, nps_every_months=1)
    assert pulses.plan_nps(timezone.now()) == 0
    SurveyPolicy.objects.create(team=None, nps_every_months=6)
    assert pulses.plan_nps(timezone.now()) == 1
    SurveyPolicy.objects.create(team=billing_team, nps_every_months=0)  # billing opts out of NPS
    Pulse.objects.all().delete()
    assert pulses.plan_nps(timezone.now()) == 0


def test_the_nps_mail_goes_once_with_eleven_one_click_links_in_the_customers_language(
    nps_policy, support_team
):
    person = create_customer(name="Jens", emails=["jens@customer.test"])
    person.language = "de"
    person.save()
    SurveyWording.objects.create(
        policy=nps_policy,
        language="de",
        nps_subject="Eine Frage",
        nps_question="Wie wahrscheinlich empfehlen Sie uns weiter?",
    )
    talked(person, support_team, days_ago=2)
    now = timezone.now()
    assert pulses.run(now) == "1 NPS planned, 1 NPS/CES mailed, 0 skipped"
    assert pulses.run(now) == ""
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.subject == "Eine Frage" and "Wie wahrscheinlich" in sent.body
    assert len(re.findall(r"/pulse/[^/\s]+/\?score=\d+", sent.body)) == 11
    assert "List-Unsubscribe" in sent.extra_headers
    assert Pulse.objects.get().sent_at == now


def test_one_cooldown_for_every_kind_of_survey(nps_policy, support_team, customer, agent):
    conversation = talked(customer, support_team, days_ago=1)
    change_status(conversation, "solved", by=agent)
    services.plan_survey(
        Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
    )
    two_axis = Survey.objects.get()
    services.send_due_surveys(two_axis.send_after)
    assert Survey.objects.get().sent_at is not None
    pulses.run(two_axis.send_after + timedelta(days=1))
    assert Pulse.objects.get().skipped == "surveyed within 30 days"
    assert len(mail.outbox) == 1
    # And the other way round: an NPS sent blocks the next two-axis survey.
    Pulse.objects.all().delete()
    Survey.objects.all().delete()
    later = timezone.now() + timedelta(days=40)
    nps = Pulse.objects.create(kind="nps", customer=customer, team=support_team, send_after=later)
    pulses.send_due_pulses(later)
    assert Pulse.objects.get(pk=nps.pk).sent_at == later
    again = talked(customer, support_team, days_ago=0)
    change_status(again, "solved", by=agent)
    services.plan_survey(Event.objects.filter(conversation=again, kind="conversation.status").latest("pk"))
    services.send_due_surveys(later + timedelta(days=2))
    assert Survey.objects.get().skipped == "surveyed within 30 days"


def test_an_opted_out_customer_is_never_asked(nps_policy, support_team, customer):
    talked(customer, support_team, days_ago=1)
    Unsubscribe.objects.create(customer=customer)
    assert pulses.plan_nps(timezone.now()) == 0
    Unsubscribe.objects.all().delete()
    pulses.plan_nps(timezone.now())
    services.unsubscribe(customer)  # opting out after planning skips it too
    pulses.send_due_pulses(timezone.now())
    assert Pulse.objects.get().skipped == "customer opted out" and mail.outbox == []


def test_a_team_that_picks_ces_gets_it_after_solving_instead_of_the_two_axis_survey(
    support_team, customer, agent
):
    SurveyPolicy.objects.create(team=support_team, ask_effort=True, delay_hours=2)
    conversation = talked(customer, support_team, days_ago=0)
    change_status(conversation, "solved", by=agent)
    event = Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
    services.plan_survey(event)
    services.plan_survey(event)  # the event again
    assert not Survey.objects.exists()
    pulse = Pulse.objects.get()
    assert (pulse.kind, pulse.conversation) == ("ces", conversation)
    assert pulse.send_after == event.created_at + timedelta(hours=2)
    pulses.send_due_pulses(pulse.send_after)
    body = mail.outbox[0].body
    assert (
        "How easy was it to get your issue resolved?" in body
        and "?score=7" in body
        and "?score=0" not in body
    )


def test_a_ces_for_a_reopened_conversation_is_skipped(support_team, customer, agent):
    SurveyPolicy.objects.create(team=support_team, ask_effort=True)
    conversation = talked(customer, support_team, days_ago=0)
    change_status(conversation, "solved", by=agent)
    services.plan_survey(
        Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
    )
    change_status(conversation, "open", by=agent)
    pulses.send_due_pulses(timezone.now() + timedelta(days=2))
    assert Pulse.objects.get().skipped == "conversation reopened"


@pytest.fixture
def nps(customer, support_team):  # type: ignore[no-untyped-def]
    return Pulse.objects.create(
        kind="nps", customer=customer, team=support_team, send_after=timezone.now(), sent_at=timezone.now()
    )


def test_a_click_records_the_score_and_sending_closes_it(nps, client):
    token = pulses.token_for(nps)
    page = client.get(f"/pulse/{token}/?score=9")
    assert page.status_code == 200 and "your answer is saved" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    assert Pulse.objects.get().score == 9
    done = client.post(f"/pulse/{token}/", {"score": "10", "comment": "Great"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert client.get(f"/pulse/{token}/?score=0").status_code == 410  # replay
    assert client.post(f"/pulse/{token}/", {"score": "1"}).status_code == 410
    pulse = Pulse.objects.get()
    assert (pulse.score, pulse.comment, pulse.closed_at is not None) == (10, "Great", True)


def test_a_tampered_foreign_or_expired_link_changes_nothing(nps, client, solved):
    token = pulses.token_for(nps)
    assert client.get(f"/pulse/{token[:-3]}abc/?score=10").status_code == 410
    survey_token = services.token_for(Survey.objects.get())  # another salt: not a pulse link
    assert client.get(f"/pulse/{survey_token}/?score=10").status_code == 410
    assert client.get(f"/pulse/{signing.dumps({'p': nps.pk}, salt='x')}/?score=10").status_code == 410
    real_time = time.time
    try:
        time.time = lambda: real_time() + 31 * 24 * 3600  # type: ignore[assignment]
        assert client.get(f"/pulse/{token}/?score=10").status_code == 410
    finally:
        time.time = real_time  # type: ignore[assignment]
    assert Pulse.objects.get(pk=nps.pk).score is None


def test_scores_outside_the_scale_are_refused(nps, client, customer):
    token = pulses.token_for(nps)
    page = client.get(f"/pulse/{token}/?score=11")
    assert page.status_code == 400 and "Choose from 0 to 10." in page.content.decode()
    ces = Pulse.objects.create(kind="ces", customer=customer, send_after=timezone.now())
    assert client.get(f"/pulse/{pulses.token_for(ces)}/?score=0").status_code == 400
    assert Pulse.objects.filter(score__isnull=False).count() == 0


def test_the_unsubscribe_link_opts_out(nps, client, customer):
    token = pulses.token_for(nps)
    assert "Stop the surveys" in client.get(f"/pulse/{token}/unsubscribe/").content.decode()
    client.post(f"/pulse/{token}/unsubscribe/")
    assert Unsubscribe.objects.filter(customer=customer).exists()


def test_the_portal_link_to_a_ces_asks_its_question_in_the_customers_language(support_team, agent, client):
    """Not the two-axis survey's "Two quick questions": the CES's own question, in German for a German customer."""
    from goodwill.channels.portal.services import SESSION_KEY

    policy = SurveyPolicy.objects.create(team=support_team, ask_effort=True, delay_hours=0)
    SurveyWording.objects.create(
        policy=policy,
        language="de",
        subject="Wie war es?",
        ces_question="Wie einfach war es, Ihr Anliegen zu lösen?",
    )
    people = {
        "de": create_customer(name="Jonas", emails=["jonas@customer.test"], language="de-AT"),
        "en": create_customer(name="Jo", emails=["jo@customer.test"], language="en"),
    }
    shown = {}
    for language, person in people.items():
        conversation = talked(person, support_team, days_ago=0)
        change_status(conversation, "solved", by=agent)
        services.plan_survey(
            Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk")
        )
        page = f"/portal/c/{conversation.number}/"
        session = client.session
        session[SESSION_KEY] = person.pk
        session.save()
        assert "portal-survey" not in client.get(page).content.decode()  # not sent yet
        pulses.send_due_pulses(timezone.now())
        shown[language] = re.search(
            r'<p class="portal-survey"[^>]*>.*?</p>', client.get(page).content.decode()
        )
    assert shown["de"] and 'lang="de"' in shown["de"].group(0)
    assert "Wie einfach war es, Ihr Anliegen zu lösen?" in shown["de"].group(0)
    assert shown["en"] and "How easy was it to get your issue resolved?" in shown["en"].group(0)
    assert all("Two quick questions" not in found.group(0) for found in shown.values() if found)
    assert re.search(r'href="/pulse/[^/"]+/"', shown["de"].group(0))  # the CES answer page
