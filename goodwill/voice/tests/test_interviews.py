"""Interview campaigns: choosing customers, signed links (tampering, replay, expiry), sending and
reminding once, thanking, themes a lead edits, and telling respondents once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.accounts.tests.tasks import run_queued_tasks
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
from goodwill.voice import interviews as service
from goodwill.voice.models import DEFAULT_QUESTIONS, Answer, Campaign, InterviewTheme, Invitation, Survey
from goodwill.voice.themes import default_method

pytestmark = pytest.mark.django_db

TELL = "goodwill.voice.interviews.tell_respondent"

REFUNDS = ["Refunds are quick and the refund arrives in two days", "Quick refund, the refund process is painless",
           "Easy refund whenever a refund was needed"]
DELIVERY = ["Delivery always on time, delivery is reliable", "Reliable delivery, the delivery courier is on time",
            "On-time delivery every week, delivery never late"]


def _customer(name: str, email: str, *, conversations: int = 1, age_days: int = 0, happy: bool = False):  # type: ignore[no-untyped-def]
    person = create_customer(name=name, emails=[email])
    for n in range(conversations):
        conversation = open_conversation(customer=person, subject=f"Q{n}", text="Hello", channel="email")[0]
        Conversation.objects.filter(pk=conversation.pk).update(created_at=timezone.now() - timedelta(days=age_days))
        if happy and n == 0:
            Survey.objects.create(conversation=conversation, customer=person, send_after=timezone.now(),
                                  outcome="yes", conduct=5, answered_at=timezone.now())
    return person


@pytest.fixture
def campaign(admin) -> Campaign:  # type: ignore[no-untyped-def]
    return Campaign.objects.create(name="Spring interviews", created_by=admin)


@pytest.fixture
def people():  # type: ignore[no-untyped-def]
    return {
        "loyal": _customer("Lena Loyal", "lena@customer.test", conversations=3, age_days=400, happy=True),
        "old": _customer("Otto Old", "otto@customer.test", conversations=1, age_days=400),
        "new": _customer("Nina New", "nina@customer.test", conversations=3, age_days=2),
        "happy": _customer("Hal Happy", "hal@customer.test", conversations=1, age_days=10, happy=True),
    }


def _names(selection: service.Selection) -> set[str]:
    return {c.name for c in service.select_customers(selection)[0]}


def test_campaign_has_the_three_questions_by_default(campaign):
    assert campaign.questions == list(DEFAULT_QUESTIONS)
    assert campaign.questions[0] == "What keeps you coming back?"
    service.save_campaign(campaign, {"question_2": "Was bedeutet Ihnen am meisten?", "language": "de"})
    campaign.refresh_from_db()
    assert campaign.question_2 == "Was bedeutet Ihnen am meisten?" and campaign.language == "de"
    with pytest.raises(ValidationError):
        service.save_campaign(campaign, {"question_1": "  ", "remind_after_days": "soon"})
    campaign.refresh_from_db()
    assert campaign.question_1 == DEFAULT_QUESTIONS[0]


def test_selection_by_tenure_count_feedback_and_by_hand(people, campaign):
    assert _names(service.Selection(min_tenure_days=365)) == {"Lena Loyal", "Otto Old"}
    assert _names(service.Selection(min_conversations=3)) == {"Lena Loyal", "Nina New"}
    assert _names(service.Selection(positive_feedback=True)) == {"Lena Loyal", "Hal Happy"}
    assert _names(service.Selection(min_tenure_days=365, min_conversations=2, positive_feedback=True)) == {"Lena Loyal"}
    by_hand = service.Selection(emails="OTTO@customer.test, nobody@nowhere.test\nhal@customer.test")
    assert _names(by_hand) == {"Otto Old", "Hal Happy"}
    assert service.select_customers(by_hand)[1] == ["nobody@nowhere.test"]
    with pytest.raises(ValidationError):
        service.select_customers(service.Selection())
    people["old"].language = "de-AT"
    people["old"].save()
    assert _names(service.Selection(min_tenure_days=365, language="de")) == {"Otto Old"}
    assert _names(service.Selection(min_tenure_days=365, language="en")) == {"Lena Loyal"}


def test_preview_counts_and_nobody_is_invited_twice(people, campaign):
    selection = service.Selection(min_tenure_days=365)
    assert service.preview(campaign, selection) == (2, 2, [])
    assert service.invite(campaign, selection) == 2
    assert service.preview(campaign, selection) == (2, 0, [])
    assert service.invite(campaign, service.Selection(min_conversations=3)) == 1  # Nina; Lena is in already
    assert Invitation.objects.filter(campaign=campaign).count() == 3
    assert Invitation.objects.get(customer=people["old"]).email == "otto@customer.test"


def _started(campaign, people) -> Campaign:  # type: ignore[no-untyped-def]
    service.invite(campaign, service.Selection(min_tenure_days=365))
    service.set_status(campaign, "sending")
    return campaign


def test_a_draft_sends_nothing_and_an_empty_campaign_cannot_start(campaign, people):
    with pytest.raises(ValidationError):
        service.set_status(campaign, "sending")
    service.invite(campaign, service.Selection(min_tenure_days=365))
    assert service.send_interviews(timezone.now()) == ""
    assert mail.outbox == []


def test_each_invitation_is_mailed_once_and_reminded_once(campaign, people):
    _started(campaign, people)
    now = timezone.now()
    assert service.send_interviews(now) == "2 interviews mailed, 0 reminded, 0 thanked"
    assert service.send_interviews(now) == ""
    assert len(mail.outbox) == 2
    body = mail.outbox[0].body
    assert "What keeps you coming back?" in body and "/interview/" in body
    assert service.send_interviews(now + timedelta(days=6)) == ""  # reminder after 7 days
    lena = Invitation.objects.get(customer=people["loyal"])
    service.record_answers(lena, ["Your people", "", ""])
    later = now + timedelta(days=8)
    assert service.send_interviews(later) == "0 interviews mailed, 1 reminded, 1 thanked"
    assert service.send_interviews(later + timedelta(days=10)) == ""
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects.count("Reminder: Three questions from us") == 1
    assert [m.to for m in mail.outbox if m.subject.startswith("Reminder")] == [["otto@customer.test"]]
    assert [m.to for m in mail.outbox if m.subject.startswith("Thank you")] == [["lena@customer.test"]]
    assert service.progress(campaign) == {"invited": 2, "sent": 2, "answered": 1, "reminded": 1, "thanked": 1}


def test_links_resist_tampering_and_expire(campaign, people, monkeypatch):
    _started(campaign, people)
    invitation = Invitation.objects.first()
    token = service.token_for(invitation)
    assert service.invitation_for_token(token) == invitation
    with pytest.raises(service.InterviewClosed):
        service.invitation_for_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    forged = signing.dumps({"i": invitation.pk}, salt="goodwill.voice.survey")  # another feature's salt
    with pytest.raises(service.InterviewClosed):
        service.invitation_for_token(forged)
    past = time.time() - service.LINK_LIFETIME.total_seconds() - 60
    with monkeypatch.context() as patch:  # a link signed 60 days and a minute ago
        patch.setattr(signing.time, "time", lambda: past)
        expired = service.token_for(invitation)
    with pytest.raises(service.InterviewClosed, match="expired"):
        service.invitation_for_token(expired)


def test_answers_are_stored_once_and_a_replay_changes_nothing(campaign, people):
    _started(campaign, people)
    invitation = Invitation.objects.first()
    with pytest.raises(ValidationError):
        service.record_answers(invitation, ["", " ", ""])
    service.record_answers(invitation, ["The people", "", "Being heard"])
    assert list(Answer.objects.values_list("question", "text")) == [(0, "The people"), (2, "Being heard")]
    with pytest.raises(service.InterviewClosed):
        service.record_answers(invitation, ["Something else", "x", "y"])
    assert Answer.objects.count() == 2


def test_a_closed_campaign_takes_no_more_answers(campaign, people):
    _started(campaign, people)
    invitation = Invitation.objects.first()
    service.set_status(campaign, "closed")
    with pytest.raises(service.InterviewClosed):
        service.invitation_for_token(service.token_for(invitation))
    assert service.send_interviews(timezone.now()) == ""


def _answered(campaign) -> list[Answer]:  # type: ignore[no-untyped-def]
    for n, text in enumerate(REFUNDS + DELIVERY + ["n/a"]):
        person = create_customer(name=f"Person {n}", emails=[f"p{n}@customer.test"])
        invitation = Invitation.objects.create(campaign=campaign, customer=person, email=f"p{n}@customer.test")
        service.record_answers(invitation, [text, "", ""])
    return list(Answer.objects.order_by("pk"))


def test_grouping_stores_themes_and_every_answer_is_visible(campaign, django_assert_max_num_queries):
    answers = _answered(campaign)
    assert service.group_campaign(campaign) >= 2
    campaign.refresh_from_db()
    assert campaign.grouped_with == default_method()  # the method that built them
    themes = list(campaign.themes.all())
    assert all(theme.quotes for theme in themes)
    with django_assert_max_num_queries(3):
        views, unassigned = service.themes_with_answers(campaign)
    assert sum(len(v.answers) for v in views) + len(unassigned) == len(answers)
    assert [a.text for a in unassigned] == ["n/a"]
    assert sum(v.share for v in views) == pytest.approx(6 / 7)


def test_rename_merge_split_and_move(campaign):
    _answered(campaign)
    service.group_campaign(campaign)
    refund, delivery = sorted(campaign.themes.all(), key=lambda t: "delivery" in t.name)
    service.rename_theme(refund, "Fast refunds")
    refund.refresh_from_db()
    assert refund.name == "Fast refunds" and refund.edited
    with pytest.raises(ValidationError):
        service.rename_theme(refund, " ")
    service.merge_themes(refund, delivery)
    assert list(campaign.themes.all()) == [refund] and refund.answers.count() == 6
    with pytest.raises(ValidationError):
        service.merge_themes(refund, refund)
    created = service.split_theme(refund)
    parts = sorted(sorted(a.text for a in t.answers.all()) for t in (refund, created))
    assert parts == [sorted(DELIVERY), sorted(REFUNDS)]
    stray = Answer.objects.get(text="n/a")
    service.move_answer(stray, created)
    assert created.answers.filter(pk=stray.pk).exists()
    service.move_answer(stray, None)
    assert Answer.objects.get(pk=stray.pk).theme is None
    other = Campaign.objects.create(name="Other")
    foreign = InterviewTheme.objects.create(campaign=other, name="x")
    with pytest.raises(ValidationError):
        service.move_answer(stray, foreign)


def test_telling_respondents_mails_each_once_from_the_worker(campaign, django_capture_on_commit_callbacks):
    _answered(campaign)
    service.group_campaign(campaign)
    refund = next(t for t in campaign.themes.all() if "refund" in t.name)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        service.tell_respondents(refund, "  ")
    with django_capture_on_commit_callbacks(execute=True):
        assert service.tell_respondents(refund, "Refunds now arrive the same day.") == 3
    assert mail.outbox == []  # not in the request: one task per respondent
    tasks = list(DBTaskResult.objects.filter(task_path=TELL))
    assert len(tasks) == 3
    run_queued_tasks()
    for task in tasks:  # a task run again (retry, second worker): the Delivery key sends once
        service.tell_respondent.call(*task.args_kwargs["args"])
    with django_capture_on_commit_callbacks(execute=True):
        assert service.tell_respondents(refund, "A different text") == 0  # everyone was reached
    assert not DBTaskResult.objects.filter(task_path=TELL).exists()
    assert len(mail.outbox) == 3
    assert {m.to[0] for m in mail.outbox} == {"p0@customer.test", "p1@customer.test", "p2@customer.test"}
    assert all("Refunds now arrive the same day." in m.body for m in mail.outbox)
    refund.refresh_from_db()
    assert refund.told_text == "Refunds now arrive the same day." and refund.told_at
    with pytest.raises(ValidationError):
        service.group_campaign(campaign)  # would forget whom we told
    assert InterviewTheme.objects.filter(pk=refund.pk).exists()


def test_a_failed_tell_mail_is_retried_until_sent(campaign, settings, django_capture_on_commit_callbacks):
    _answered(campaign)
    service.group_campaign(campaign)
    refund = next(t for t in campaign.themes.all() if "refund" in t.name)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        service.tell_respondents(refund, "Refunds now arrive the same day.")
    [first, *_rest] = list(DBTaskResult.objects.filter(task_path=TELL))
    DBTaskResult.objects.exclude(pk=first.pk).delete()
    first.delete()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # nothing listens there
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    service.tell_respondent.call(*first.args_kwargs["args"])  # fails, so it enqueues its retry
    [retry] = list(DBTaskResult.objects.filter(task_path=TELL))
    assert retry.run_after > timezone.now() and mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    service.tell_respondent.call(*retry.args_kwargs["args"], **retry.args_kwargs["kwargs"])
    assert len(mail.outbox) == 1


def test_the_job_is_scheduled_every_minute():
    from django.utils.module_loading import import_string

    from goodwill.schedules import PERIODIC

    path, seconds = PERIODIC["voice.interviews"]
    assert import_string(path) is service.send_interviews and seconds == 60
