"""Two-axis surveys: planned once at solving, sent after the delay (once), skipped with a reason,
answered by signed links that resist tampering, replay after closing and expiry."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from goodwill.conversations.services import change_status
from goodwill.core.models import Event
from goodwill.voice import sending, services
from goodwill.voice.models import Survey, SurveyPolicy, SurveyWording, Unsubscribe

pytestmark = pytest.mark.django_db


def test_solving_plans_one_survey_after_the_delay(solved, agent):
    survey = Survey.objects.get()
    assert survey.agent == agent and survey.customer == solved.customer
    assert survey.send_after - survey.created_at == pytest.approx(timedelta(hours=24), abs=timedelta(seconds=5))
    event = Event.objects.filter(conversation=solved, kind="conversation.status").latest("pk")
    services.plan_survey(event)  # the event again
    assert Survey.objects.count() == 1


def test_a_team_can_switch_surveys_off_or_change_the_delay(customer, support_team, agent):
    from goodwill.conversations.services import open_conversation

    SurveyPolicy.objects.create(team=support_team, delay_hours=2)
    conversation = open_conversation(customer=customer, subject="x", text="y", channel="email", team=support_team)[0]
    change_status(conversation, "solved", by=agent)
    services.plan_survey(Event.objects.filter(conversation=conversation, kind="conversation.status").latest("pk"))
    survey = Survey.objects.get()
    assert survey.send_after - survey.created_at == pytest.approx(timedelta(hours=2), abs=timedelta(seconds=5))


def test_the_survey_is_mailed_once_with_one_click_links(solved):
    survey = Survey.objects.get()
    later = survey.send_after + timedelta(minutes=1)
    assert services.send_due_surveys(survey.send_after - timedelta(minutes=1)) == ""
    assert services.send_due_surveys(later) == "1 surveys mailed, 0 skipped"
    assert services.send_due_surveys(later) == ""
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Did we meet your need?" in body and "How were you treated?" in body
    assert "/feedback/" in body and "?outcome=yes" in body and "?conduct=5" in body
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers


def test_wording_follows_the_customers_language(solved, support_team):
    policy = SurveyPolicy.objects.create(team=support_team)
    SurveyWording.objects.create(policy=policy, language="de", subject="Wie war es?", outcome_question="Haben wir geholfen?")
    assert services.wording_for(policy, "de-AT").outcome_question == "Haben wir geholfen?"
    assert services.wording_for(policy, "fr").outcome_question == "Did we meet your need?"


def test_skips_say_why(solved, customer, agent):
    survey = Survey.objects.get()
    change_status(solved, "open", by=agent)
    services.send_due_surveys(survey.send_after)
    assert Survey.objects.get().skipped == "conversation reopened"
    assert mail.outbox == []


def test_never_twice_within_the_cooldown_and_never_after_opting_out(solved, customer, agent, support_team):
    from goodwill.conversations.services import open_conversation

    first = Survey.objects.get()
    services.send_due_surveys(first.send_after)
    other = open_conversation(customer=customer, subject="Again", text="z", channel="email", team=support_team)[0]
    change_status(other, "solved", by=agent)
    services.plan_survey(Event.objects.filter(conversation=other, kind="conversation.status").latest("pk"))
    second = Survey.objects.get(conversation=other)
    services.send_due_surveys(second.send_after)
    assert Survey.objects.get(pk=second.pk).skipped == "surveyed within 30 days"
    Unsubscribe.objects.create(customer=customer)
    assert sending.skip_reason(first, SurveyPolicy(), timezone.now()) == "customer opted out"


def test_a_click_records_the_answer_and_fills_need_met(solved, client):
    survey = Survey.objects.get()
    token = services.token_for(survey)
    page = client.get(f"/feedback/{token}/?outcome=partly")
    assert page.status_code == 200 and "your answer is saved" in page.content.decode()
    survey.refresh_from_db()
    solved.refresh_from_db()
    assert survey.outcome == "partly" and survey.answered_at is not None
    assert solved.need_met == "partly"
    assert page["Cache-Control"] == "private, no-store"


def test_the_agents_own_need_met_is_kept(solved, client, agent):
    from goodwill.conversations.services import update_properties

    update_properties(solved, {"need_met": "yes"}, by=agent)
    client.get(f"/feedback/{services.token_for(Survey.objects.get())}/?outcome=no")
    solved.refresh_from_db()
    assert solved.need_met == "yes"


def test_a_bad_answer_is_flagged_for_follow_up(solved, client, agent):
    token = services.token_for(Survey.objects.get())
    client.get(f"/feedback/{token}/?conduct=2")
    assert Survey.objects.get().needs_follow_up
    client.force_login(agent)
    inbox = client.get("/?view=bad-feedback").content.decode()
    assert "Broken kettle" in inbox and "bad feedback" in inbox
    client.post(f"/c/{solved.number}/feedback/followed-up/")
    assert Survey.objects.get().followed_up_by == agent
    assert "Broken kettle" not in client.get("/?view=bad-feedback").content.decode()


def test_sending_the_page_closes_it_and_a_replay_changes_nothing(solved, client):
    token = services.token_for(Survey.objects.get())
    answer = client.post(f"/feedback/{token}/", {"outcome": "yes", "conduct": "5", "comment": "Lovely people"})
    assert answer.status_code == 200 and "Thank you" in answer.content.decode()
    replay = client.get(f"/feedback/{token}/?outcome=no")
    assert replay.status_code == 410
    again = client.post(f"/feedback/{token}/", {"outcome": "no", "conduct": "1"})
    assert again.status_code == 410
    survey = Survey.objects.get()
    assert (survey.outcome, survey.conduct, survey.comment) == ("yes", 5, "Lovely people")


def test_a_tampered_or_expired_link_changes_nothing(solved, client):
    survey = Survey.objects.get()
    token = services.token_for(survey)
    forged = signing.dumps({"s": survey.pk + 1}, salt="another-salt")
    assert client.get(f"/feedback/{forged}/?outcome=yes").status_code == 410
    assert client.get(f"/feedback/{token[:-3]}abc/?outcome=yes").status_code == 410
    expired = signing.dumps({"s": survey.pk}, salt=services.SALT)
    real_time = time.time
    try:
        time.time = lambda: real_time() + 31 * 24 * 3600  # type: ignore[assignment]
        assert client.get(f"/feedback/{expired}/?outcome=yes").status_code == 410
    finally:
        time.time = real_time  # type: ignore[assignment]
    assert Survey.objects.get().outcome == ""


def test_bad_values_are_refused(solved, client):
    token = services.token_for(Survey.objects.get())
    answer = client.get(f"/feedback/{token}/?conduct=9")
    assert answer.status_code == 400 and "Choose from 1 to 5." in answer.content.decode()
    assert Survey.objects.get().conduct is None


def test_unsubscribe_link(solved, client):
    token = services.token_for(Survey.objects.get())
    assert "Stop the surveys" in client.get(f"/feedback/{token}/unsubscribe/").content.decode()
    client.post(f"/feedback/{token}/unsubscribe/")
    assert Unsubscribe.objects.filter(customer=solved.customer).exists()
    assert Survey.objects.get().skipped == "customer opted out"


def test_the_portal_offers_the_open_survey_to_its_customer_only(solved, client, customer, support_team):
    from goodwill.channels.portal.services import SESSION_KEY

    survey = Survey.objects.get()
    session = client.session
    session[SESSION_KEY] = customer.pk
    session.save()
    page = f"/portal/c/{solved.number}/"
    assert "How did we do?" not in client.get(page).content.decode()  # not sent yet
    services.send_due_surveys(survey.send_after)
    import re

    link = re.search(r'href="/feedback/([^/"]+)/"', client.get(page).content.decode())
    assert link and services.survey_for_token(link.group(1)) == survey
    SurveyPolicy.objects.create(team=support_team, in_portal=False)
    assert "How did we do?" not in client.get(page).content.decode()
