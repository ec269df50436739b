"""Queueing webhook deliveries and sending them from the worker, with retries and switch-off.

A delivery row is made once per (webhook, event) (its `key` is unique), in the transaction of
the seam's subscriber; the task that sends it is enqueued after commit. Sending takes a lease
on the row first, so two workers never POST the same delivery at once; the receiver still
sees a delivery again after a crash between its answer and our commit (at least once: it
drops repeated `Goodwill-Delivery` ids).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.notifications import notify_leads
from goodwill.conversations.models import Conversation
from goodwill.core.events import topics_of
from goodwill.core.models import Event
from goodwill.core.tasks import retrying_task
from goodwill.webhooks import payloads
from goodwill.webhooks.delivery import Answer, post
from goodwill.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery


def _max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_ATTEMPTS", 8))


def _queue(
    webhook: Webhook, key: str, topic: str, body: str, event: Event | None = None
) -> WebhookDelivery | None:
    """Store the delivery (once per key) and send it after commit; None when it existed already."""
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                webhook=webhook, key=key, topic=topic, body=body, event=event
            )
    except IntegrityError:
        return None
    transaction.on_commit(partial(deliver_webhook.enqueue, delivery.pk))
    return delivery


def queue_for_event(event: Event) -> list[WebhookDelivery]:
    """One delivery for each active webhook listening to one of the event's topics."""
    topics = topics_of(event)
    made = []
    for webhook in Webhook.objects.filter(is_active=True):
        matching = [topic for topic in topics if topic in webhook.topics]
        if not matching:
            continue
        key = f"{webhook.pk}:event:{event.pk}"
        delivery = _queue(webhook, key, matching[-1], payloads.build(key, matching[-1], event=event), event)
        if delivery is not None:
            made.append(delivery)
    return made


def queue_rule_call(webhook: Webhook, conversation: Conversation, *, rule_name: str, run_id: int) -> None:
    """A rule's “call webhook” action: once per rule run, even for a webhook without topics."""
    if not webhook.is_active:
        return
    key = f"{webhook.pk}:rule:{run_id}"
    rule = payloads.RuleBody(name=rule_name, run=run_id)
    _queue(
        webhook,
        key,
        payloads.RULE_TOPIC,
        payloads.build(key, payloads.RULE_TOPIC, conversation=conversation, rule=rule),
    )


def send_test(webhook: Webhook) -> WebhookDelivery:
    """The “send test” button: a sample body, sent by the worker like any other (even when off)."""
    key = f"{webhook.pk}:test:{uuid.uuid4().hex[:16]}"
    delivery = _queue(webhook, key, payloads.TEST_TOPIC, payloads.build(key, payloads.TEST_TOPIC, test=True))
    assert delivery is not None
    return delivery


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Lease the delivery for one attempt; None when delivered, given up or in another worker's hands."""
    now = timezone.now()
    lease = timedelta(seconds=float(getattr(settings, "WEBHOOK_TIMEOUT", 10.0)) * 3 + 5)
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def attempt(delivery_id: int) -> Answer | None:
    """POST the delivery once and log it; None when there was nothing to send."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if not webhook.is_active and delivery.topic != payloads.TEST_TOPIC:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.FAILED, last_error="The webhook is switched off.", lease_until=None
        )
        return None
    started = timezone.now()
    answer = post(
        webhook.url, delivery.body, secret=webhook.secret, topic=delivery.topic, delivery_id=delivery.key
    )
    _record(delivery, webhook, answer, started)
    return answer


def _record(delivery: WebhookDelivery, webhook: Webhook, answer: Answer, started: datetime) -> None:
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=answer.duration_ms,
            status=answer.status,
            error=answer.error[:500],
            response_excerpt=answer.excerpt[:500],
        )
        fields: dict[str, object] = {
            "last_status": answer.status,
            "last_error": answer.error[:500],
            "lease_until": None,
        }
        if answer.ok:
            fields |= {"state": WebhookDelivery.State.DELIVERED, "delivered_at": timezone.now()}
            Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        else:
            if delivery.attempts >= _max_attempts():
                fields["state"] = WebhookDelivery.State.FAILED
            if delivery.topic != payloads.TEST_TOPIC:
                _count_failure(webhook)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)


def _count_failure(webhook: Webhook) -> None:
    """One more failure in a row; at the limit the webhook is switched off and the admins told."""
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = int(getattr(settings, "WEBHOOK_MAX_FAILURES", 10))
    switched = Webhook.objects.filter(pk=webhook.pk, is_active=True, consecutive_failures__gte=limit).update(
        is_active=False,
        disabled_at=timezone.now(),
        disabled_reason=f"Switched off after {limit} failed deliveries in a row.",
    )
    if switched:
        notify_leads(
            None,
            key=f"webhook-off:{webhook.pk}:{timezone.now():%Y%m%d%H%M}",
            kind="webhook",
            title=f"Webhook “{webhook.name}” switched off after {limit} failures in a row",
            body=f"Deliveries to {webhook.url} kept failing. Fix the receiver, then switch it on again.",
            url=reverse("webhooks:detail", args=[webhook.pk]),
            email=True,
        )


@retrying_task(max_attempts=64, backoff_base=float(getattr(settings, "WEBHOOK_BACKOFF", 30.0)))
def deliver_webhook(delivery_id: int) -> None:
    """Send one delivery; a failed attempt raises, so the task retries with exponential backoff
    until it succeeds or the delivery's own attempt limit (`WEBHOOK_ATTEMPTS`) is reached."""
    answer = attempt(delivery_id)
    if answer is not None and not answer.ok:
        pending = WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING).exists()
        if pending:
            raise DeliveryFailed(answer.error or "no answer")


class DeliveryFailed(Exception):
    """Raised to have the task retried later."""


def switch_on(webhook: Webhook, *, by: Agent) -> None:
    """An admin switches a webhook (back) on: its failure count starts again."""
    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
    )


def switch_off(webhook: Webhook, *, by: Agent) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=f"Switched off by {by}."
    )
