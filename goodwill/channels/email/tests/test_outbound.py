"""Replies and acknowledgements go out over real SMTP to a sink on loopback."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from goodwill.channels.email.intake import ingest_many
from goodwill.channels.email.models import Acknowledgement, DeliveryAttempt, EmailDetails, Mailbox
from goodwill.channels.email.outbound import DeliveryFailed, send_acknowledgement, send_reply
from goodwill.channels.email.tests.conftest import free_port
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import NewAttachment, add_reply
from goodwill.conversations.tasks import deliver_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(eml, support_team) -> Conversation:  # type: ignore[no-untyped-def]
    Mailbox.objects.create(name="Acme Support", address="help@acme.test", team=support_team)
    ingest_many([eml("plain.eml", **{"support@goodwill.test": "help@acme.test"})])
    return Conversation.objects.get()


def test_a_reply_goes_out_threaded_with_text_html_and_attachments(conversation, agent, smtp_sink):
    reply = add_reply(
        conversation,
        by=agent,
        text="Hello Dana,\nthe courier has it.",
        attachments=[NewAttachment("label.pdf", b"%PDF-1.4 label", "application/pdf")],
    )
    send_reply(reply.pk)
    [(mail_from, rcpt, _data)] = smtp_sink.messages
    assert rcpt == ["dana@example.org"] and mail_from == "help@acme.test"
    sent = smtp_sink.parsed()
    ours = EmailDetails.objects.get(message=reply).message_id_header
    assert sent["Message-ID"] == f"<{ours}>"
    assert sent["In-Reply-To"] == "<plain-1@example.org>"
    assert "<plain-1@example.org>" in sent["References"]
    assert sent["Reply-To"].startswith(f"help+gw-{conversation.number}-")
    assert sent["Subject"] == f"Re: My order has not arrived [#{conversation.number}]"
    assert "Sam Agent" in sent["From"] and "help@acme.test" in sent["From"]
    assert sent.get_body(("plain",)).get_content().startswith("Hello Dana,")
    assert "<br>" in sent.get_body(("html",)).get_content()
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_filename() == "label.pdf"
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT
    assert DeliveryAttempt.objects.get(message=reply).ok


def test_sending_twice_sends_once(conversation, agent, smtp_sink):
    reply = add_reply(conversation, by=agent, text="Once only.")
    send_reply(reply.pk)
    send_reply(reply.pk)
    assert len(smtp_sink.messages) == 1


def test_a_failed_send_is_shown_on_the_message_and_retried_with_backoff(conversation, agent, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    reply = add_reply(conversation, by=agent, text="This will fail first.")
    with pytest.raises(DeliveryFailed):
        send_reply(reply.pk)
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.FAILED and "attempt 1 of 8, will retry" in reply.delivery_error
    assert not DeliveryAttempt.objects.get(message=reply).ok
    before = DBTaskResult.objects.count()
    deliver_reply.call(reply.pk)  # the task wrapper catches the failure and schedules the next attempt
    retry = DBTaskResult.objects.order_by("-enqueued_at").first()
    assert DBTaskResult.objects.count() == before + 1
    assert retry.run_after is not None and retry.args_kwargs["kwargs"] == {"_attempt": 2}


def test_a_retry_keeps_the_same_message_id(conversation, agent, settings, smtp_sink):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    reply = add_reply(conversation, by=agent, text="Retry me.")
    with pytest.raises(DeliveryFailed):
        send_reply(reply.pk)
    first_id = EmailDetails.objects.get(message=reply).message_id_header
    settings.EMAIL_PORT = port
    send_reply(reply.pk)
    assert smtp_sink.parsed()["Message-ID"] == f"<{first_id}>"
    reply.refresh_from_db()
    assert reply.delivery == "sent" and reply.delivery_error == ""


def test_the_customer_answer_to_our_reply_threads_back(conversation, agent, smtp_sink):
    reply = add_reply(conversation, by=agent, text="Does Tuesday work?")
    send_reply(reply.pk)
    sent = smtp_sink.parsed()
    answer = (
        f"From: dana@example.org\r\nTo: {sent['Reply-To']}\r\nSubject: Re: something else\r\n"
        f"Message-ID: <answer@example.org>\r\nIn-Reply-To: {sent['Message-ID']}\r\n\r\nYes, Tuesday.\r\n"
    ).encode()
    assert ingest_many([answer]).messages_appended == 1
    assert conversation.messages.count() == 3


def test_an_acknowledgement_names_the_number_and_the_expected_response_time(eml, smtp_sink):
    Mailbox.objects.create(
        name="Acme Support",
        address="help@acme.test",
        auto_acknowledge=True,
        expected_response_time="within four hours",
    )
    ingest_many([eml("plain.eml", **{"support@goodwill.test": "help@acme.test"})])
    conversation = Conversation.objects.get()
    ack = Acknowledgement.objects.get()
    send_acknowledgement(ack.pk)
    send_acknowledgement(ack.pk)
    assert len(smtp_sink.messages) == 1
    sent = smtp_sink.parsed()
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<plain-1@example.org>"
    body = sent.get_body(("plain",)).get_content()
    assert f"#{conversation.number}" in body and "within four hours" in body and "Hello Dana" in body


def test_a_robot_answering_our_acknowledgement_gets_no_acknowledgement_back(eml, smtp_sink):
    Mailbox.objects.create(name="Acme", address="help@acme.test", auto_acknowledge=True)
    ingest_many([eml("plain.eml", **{"support@goodwill.test": "help@acme.test"})])
    send_acknowledgement(Acknowledgement.objects.get().pk)
    sent = smtp_sink.parsed()
    robot = (
        f"From: robot@autoresponder.test\r\nTo: help@acme.test\r\nSubject: Auto: {sent['Subject']}\r\n"
        f"Message-ID: <robot-1@autoresponder.test>\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n"
    ).encode()
    ingest_many([robot])
    assert Acknowledgement.objects.count() == 1


def test_the_acknowledgement_goes_to_the_sender_never_to_reply_to_and_does_not_echo_the_subject(
    eml, smtp_sink
):
    """RFC 3834: an automatic answer cannot be aimed at a third party or carry a stranger's text."""
    Mailbox.objects.create(name="Acme", address="help@acme.test", auto_acknowledge=True)
    hostile = eml(
        "plain.eml",
        **{
            "support@goodwill.test": "help@acme.test",
            "Subject: My order has not arrived": "Subject: Cheap pills at http://spam.test/buy\r\n"
            "Reply-To: victim@third-party.test",
        },
    )
    ingest_many([hostile])
    send_acknowledgement(Acknowledgement.objects.get().pk)
    (_sender, recipients, _data) = smtp_sink.messages[-1]
    assert recipients == ["dana@example.org"]
    sent = smtp_sink.parsed()
    assert "spam.test" not in sent.as_string() and "Cheap pills" not in sent.as_string()
    assert f"#{Conversation.objects.get().number}" in sent.get_body(("plain",)).get_content()
