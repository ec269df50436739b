"""Admins define webhooks, see the delivery log, send a test, switch them on and off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.webhooks.models import Webhook, WebhookDelivery
from goodwill.webhooks.services import attempt

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_webhook_and_sees_its_secret(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("webhooks:new"),
        {"name": "CRM", "url": "https://crm.example.com/hook", "topics": ["conversation.solved", "message.received"]},
    )
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert webhook.topics == ["conversation.solved", "message.received"] and webhook.secret.startswith("whsec_")
    page = client.get(reverse("webhooks:detail", args=[webhook.pk])).content.decode()
    assert webhook.secret in page and "Goodwill-Signature" in page


def test_a_bad_address_is_refused_and_kept(client, admin):
    client.force_login(admin)
    response = client.post(reverse("webhooks:new"), {"name": "Bad", "url": "ftp://example.com/x"})
    assert response.status_code == 400 and not Webhook.objects.exists()
    assert "ftp://example.com/x" in response.content.decode()


def test_the_test_button_and_the_delivery_log(client, admin, receiver, django_assert_max_num_queries):
    webhook = Webhook.objects.create(name="Receiver", url=receiver.url)
    receiver.secret = webhook.secret
    client.force_login(admin)
    client.post(reverse("webhooks:test", args=[webhook.pk]))
    client.post(reverse("webhooks:test", args=[webhook.pk]))
    for delivery in WebhookDelivery.objects.all():
        attempt(delivery.pk)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("webhooks:detail", args=[webhook.pk])).content.decode()
    assert page.count("HTTP 200 in") == 2 and "webhook.test" in page
    assert all(request.valid for request in receiver.requests)


def test_switch_off_and_on(client, admin):
    webhook = Webhook.objects.create(name="X", url="https://example.com/", consecutive_failures=4)
    client.force_login(admin)
    client.post(reverse("webhooks:switch", args=[webhook.pk]), {"on": "0"})
    webhook.refresh_from_db()
    assert not webhook.is_active
    client.post(reverse("webhooks:switch", args=[webhook.pk]), {"on": "1"})
    webhook.refresh_from_db()
    assert webhook.is_active and webhook.consecutive_failures == 0


def test_agents_may_not_see_webhooks(client, agent):
    webhook = Webhook.objects.create(name="X", url="https://example.com/")
    client.force_login(agent)
    assert client.get(reverse("webhooks:list")).status_code == 403
    assert client.get(reverse("webhooks:detail", args=[webhook.pk])).status_code == 403
    assert client.post(reverse("webhooks:test", args=[webhook.pk])).status_code == 403
