"""Outgoing mail is idempotent: state recorded around the SMTP transaction, one Message-ID."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.channels.email.models import Acknowledgement, Mailbox
from goodwill.channels.email.outbound import send_acknowledgement, send_reply
from goodwill.channels.email.services import ingest_many
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_reply
from goodwill.core.deliveries import DeliveryBusy, claim_delivery
from goodwill.core.models import Delivery
from goodwill.core.sweeper import run_sweeps

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(eml, support_team) -> Conversation:  # type: ignore[no-untyped-def]
    Mailbox.objects.create(
        name="Acme Support", address="help@acme.test", team=support_team, auto_acknowledge=True
    )
    ingest_many([eml("plain.eml", **{"support@goodwill.test": "help@acme.test"})])
    return Conversation.objects.get()


def test_a_reply_records_sending_then_sent(conversation, agent, smtp_sink):
    reply = add_reply(conversation, by=agent, text="On its way.")
    send_reply(reply.pk)
    delivery = Delivery.objects.get(key=f"reply:{reply.pk}")
    assert (delivery.state, delivery.attempts, delivery.resends) == ("sent", 1, 0)
    assert f"<{delivery.message_id}>" == smtp_sink.parsed()["Message-ID"]


def test_a_reply_in_flight_on_another_worker_is_not_sent_again(conversation, agent, smtp_sink):
    reply = add_reply(conversation, by=agent, text="Only one of us sends this.")
    claim_delivery(f"reply:{reply.pk}")  # another worker is in the middle of it
    with pytest.raises(DeliveryBusy):
        send_reply(reply.pk)
    assert smtp_sink.messages == []


def test_a_reply_whose_send_outcome_is_unknown_is_resent_with_the_same_message_id_and_logged(
    conversation, agent, smtp_sink, settings, caplog
):
    reply = add_reply(conversation, by=agent, text="Did it go?")
    send_reply(reply.pk)
    first_id = smtp_sink.parsed()["Message-ID"]
    # A worker died after the remote's 250 and before recording it: SENDING, lease run out.
    Delivery.objects.filter(key=f"reply:{reply.pk}").update(state="sending", lease_until=timezone.now())
    Message.objects.filter(pk=reply.pk).update(delivery="queued")
    with caplog.at_level(logging.WARNING, logger="goodwill.tasks"):
        send_reply(reply.pk)
    assert [m[2] for m in smtp_sink.messages][0] != b""
    assert len(smtp_sink.messages) == 2 and smtp_sink.parsed()["Message-ID"] == first_id
    assert f"resending reply:{reply.pk} with the same Message-ID {first_id}" in caplog.text
    assert Delivery.objects.get(key=f"reply:{reply.pk}").resends == 1


def test_an_acknowledgement_sent_once_is_not_sent_again_even_if_its_row_missed_the_update(
    conversation, smtp_sink
):
    ack = Acknowledgement.objects.get()
    send_acknowledgement(ack.pk)
    Acknowledgement.objects.filter(pk=ack.pk).update(sent_at=None)
    send_acknowledgement(ack.pk)
    assert len(smtp_sink.messages) == 1
    assert Acknowledgement.objects.get().sent_at is not None


def test_the_sweeper_enqueues_a_reply_whose_task_was_lost_once_per_grace_period(
    conversation, agent, settings
):
    settings.DELIVERY_STUCK_AFTER = 60
    # add_reply enqueues on commit; inside this test's transaction that never happens: a lost task.
    reply = add_reply(
        conversation, by=agent, text="Lost in the broker.", at=timezone.now() - timedelta(minutes=5)
    )
    ack = Acknowledgement.objects.get()
    Acknowledgement.objects.filter(pk=ack.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    totals = run_sweeps(force=True)
    run_sweeps(totals, force=True)

    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == [
        "goodwill.channels.email.outbound.acknowledgement_task",
        "goodwill.conversations.tasks.deliver_reply",
    ]
    assert Delivery.objects.get(key=f"reply:{reply.pk}").sweeps == 1
    assert totals.swept == {"reply": 1, "ack": 1}


def test_the_sweeper_leaves_recent_and_sent_replies_alone(conversation, agent, smtp_sink, settings):
    settings.DELIVERY_STUCK_AFTER = 60
    add_reply(conversation, by=agent, text="Just now.")
    sent = add_reply(conversation, by=agent, text="Long ago.", at=timezone.now() - timedelta(minutes=5))
    send_reply(sent.pk)
    Acknowledgement.objects.update(sent_at=timezone.now())
    assert run_sweeps(force=True).swept == {}
    assert not DBTaskResult.objects.exists()
