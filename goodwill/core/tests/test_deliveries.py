"""core.deliveries.send_once: a mail goes out once per key; a failed send is marked and may go again;
another worker's send in flight is left alone."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from goodwill.core.deliveries import DeliveryBusy, delivery_lease, send_once
from goodwill.core.models import Delivery

pytestmark = pytest.mark.django_db


def _mail() -> EmailMessage:
    return EmailMessage(subject="Hello", body="b", from_email="desk@example.test", to=["jo@customer.test"])


def test_a_mail_goes_out_once_per_key():
    assert send_once("test:1", _mail()) is True
    assert send_once("test:1", _mail()) is False
    assert len(mail.outbox) == 1 and Delivery.objects.get(key="test:1").state == Delivery.State.SENT


def test_a_failed_send_is_marked_failed_raised_and_sent_on_the_next_try(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # nothing listens there
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(OSError):
        send_once("test:2", _mail())
    assert Delivery.objects.get(key="test:2").state == Delivery.State.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_once("test:2", _mail()) is True and len(mail.outbox) == 1


def test_a_send_in_flight_elsewhere_is_busy():
    Delivery.objects.create(
        key="test:3", state=Delivery.State.SENDING, lease_until=timezone.now() + delivery_lease()
    )
    with pytest.raises(DeliveryBusy):
        send_once("test:3", _mail())
    assert mail.outbox == []
