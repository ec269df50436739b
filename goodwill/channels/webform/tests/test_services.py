"""Filing a submission: a conversation on the web-form channel, the need, the answers, once."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from goodwill.channels.webform import services
from goodwill.channels.webform.models import Submission, UsedToken
from goodwill.channels.webform.tests.conftest import aged_token
from goodwill.conversations.models import Conversation, CustomField
from goodwill.core.events import subscribed

pytestmark = pytest.mark.django_db


def visitor(**overrides: object) -> services.Visitor:
    data: dict[str, object] = {
        "email": "maria@customer.test", "name": "Maria Lopez", "subject": "Parcel never came",
        "message": "My parcel has not arrived.", "answers": {"order_number": "A-1042"},
        "labels": {"order_number": "Order number"},
    }
    data.update(overrides)
    return services.Visitor(**data)  # type: ignore[arg-type]


def test_a_submission_opens_a_conversation_filed_under_the_forms_team_and_need(web_form):
    submission = services.submit(web_form, visitor(), nonce="n1")
    conversation = submission.conversation
    assert conversation.channel == Conversation.Channel.WEBFORM
    assert conversation.team == web_form.team and conversation.need == web_form.need
    assert conversation.customer.name == "Maria Lopez"
    first = conversation.messages.get()
    assert first.text == "My parcel has not arrived.\n\n—\nOrder number: A-1042"
    assert submission.answers == {"order_number": "A-1042"}


def test_answers_fill_the_teams_custom_fields_of_the_same_key(web_form):
    CustomField.objects.create(key="order_number", label="Order", type="text")
    conversation = services.submit(web_form, visitor(), nonce="n1").conversation
    conversation.refresh_from_db()
    assert conversation.custom_fields == {"order_number": "A-1042"}


def test_a_known_customer_adds_to_their_open_request_about_the_same_thing(web_form):
    first = services.submit(web_form, visitor(), nonce="n1").conversation
    again = services.submit(web_form, visitor(message="Any news?"), nonce="n2").conversation
    other = services.submit(web_form, visitor(subject="Invoice address"), nonce="n3").conversation
    assert again == first and other != first
    assert first.messages.count() == 2


def test_a_spent_token_is_refused_and_changes_nothing(web_form):
    services.submit(web_form, visitor(), nonce="n1")
    with pytest.raises(services.Refused) as refused:
        services.submit(web_form, visitor(), nonce="n1")
    assert refused.value.status == 409
    assert Submission.objects.count() == 1 and Conversation.objects.count() == 1


def test_tokens_are_signed_per_form_timed_and_single_use(web_form, support_team):
    token = aged_token(web_form)
    nonce = services.check_token(web_form, token)
    UsedToken.objects.create(nonce=nonce)
    with pytest.raises(services.Refused, match="sent already"):
        services.check_token(web_form, token)
    with pytest.raises(services.Refused, match="quicker than a person"):
        services.check_token(web_form, services.issue_token(web_form))
    with pytest.raises(services.Refused, match="open for a long time"):
        services.check_token(web_form, services.issue_token(web_form, now=time.time() - 13 * 3600))
    with pytest.raises(services.Refused, match="could not be checked"):
        services.check_token(web_form, token[:-2] + "xx")
    web_form.slug = "other"
    other_form_token = aged_token(web_form)
    web_form.slug = "contact"
    with pytest.raises(services.Refused, match="could not be checked"):
        services.check_token(web_form, other_form_token)


def test_the_confirmation_is_mailed_once(web_form, django_capture_on_commit_callbacks):
    with subscribed({}), django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = services.submit(web_form, visitor(), nonce="n1")
    assert callbacks, "the confirmation is queued after commit"
    services.send_confirmation(submission.pk)
    services.send_confirmation(submission.pk)  # a retried task
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["maria@customer.test"]
    assert f"#{submission.conversation.number}" in sent.subject
    assert "> My parcel has not arrived." in sent.body and "/portal/" in sent.body


def test_no_confirmation_when_the_form_says_so(web_form):
    web_form.send_confirmation = False
    web_form.save()
    with subscribed({}):
        services.submit(web_form, visitor(), nonce="n1")
    assert mail.outbox == []


def test_spent_tokens_are_forgotten_once_they_cannot_replay(web_form):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    UsedToken.objects.create(nonce="old", used_at=now - timedelta(hours=14))
    UsedToken.objects.create(nonce="new", used_at=now - timedelta(hours=1))
    assert services.prune_used_tokens(now) == "1 spent form tokens forgotten"
    assert list(UsedToken.objects.values_list("nonce", flat=True)) == ["new"]
