"""Deliveries to a real receiver on 127.0.0.1: signed as documented, once per (webhook, event),
retried with backoff, logged, never redirected, time-limited, switched off after failures."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.accounts.models import Notification
from goodwill.automation.models import RuleRun
from goodwill.automation.tests.conftest import make_rule
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import change_status
from goodwill.core.models import Event
from goodwill.webhooks import services
from goodwill.webhooks.models import Webhook, WebhookDelivery
from goodwill.webhooks.payloads import WebhookBody

pytestmark = pytest.mark.django_db

DELIVER = "goodwill.webhooks.services.deliver_webhook"


def run_deliveries() -> int:
    """Run the queued delivery tasks that are due, as the worker would."""
    now = timezone.now()
    tasks = [  # django-tasks-db keeps "no delay" as the year 9999
        task
        for task in DBTaskResult.objects.filter(task_path=DELIVER)
        if task.run_after.year == 9999 or task.run_after <= now
    ]
    DBTaskResult.objects.filter(pk__in=[task.pk for task in tasks]).delete()
    for task in tasks:
        services.deliver_webhook.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])
    return len(tasks)


@pytest.fixture
def webhook(receiver):  # type: ignore[no-untyped-def]
    hook = Webhook.objects.create(
        name="CRM", url=receiver.url, topics=["conversation.status", "conversation.solved"]
    )
    receiver.secret = hook.secret
    return hook


def test_an_event_is_posted_signed_as_documented_and_logged(webhook, receiver, opened, agent, worker):
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.SOLVED, by=agent)
    assert run_deliveries() == 1
    [request] = receiver.requests
    assert request.valid  # the README's verifier accepts it
    assert request.headers["Goodwill-Event"] == "conversation.solved"
    body = WebhookBody.model_validate_json(request.body)
    assert request.headers["Goodwill-Delivery"] == body.id
    assert body.event is not None and body.event.after == {"status": "solved"}
    assert body.conversation is not None and body.conversation.number == conversation.number
    assert body.event.actor is not None and body.event.actor.name == agent.display_name
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.last_status == 200
    attempt = delivery.attempt_log.get()
    assert attempt.status == 200 and attempt.duration_ms >= 0 and attempt.response_excerpt == "ok"


def test_a_delivery_is_made_once_per_webhook_and_event(webhook, receiver, opened, agent, worker):
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.PENDING, by=agent)
    event = Event.objects.get(kind=Event.Kind.STATUS_CHANGED)
    assert services.queue_for_event(event) == []  # a retried subscriber
    delivery = WebhookDelivery.objects.get()
    run_deliveries()
    services.deliver_webhook.call(delivery.pk)  # the task twice
    assert len(receiver.requests) == 1


def test_a_failure_is_retried_with_backoff_then_delivered(webhook, receiver, opened, agent, worker):
    receiver.answers = [(500, {}, b"oops")]
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.PENDING, by=agent)
    assert run_deliveries() == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.last_status == 500
    retry = DBTaskResult.objects.get(task_path=DELIVER)
    assert timezone.now() < retry.run_after < timezone.now() + timedelta(minutes=2)  # waits for its backoff
    services.deliver_webhook.call(delivery.pk, _attempt=2)  # the worker, once the backoff passed
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert [a.status for a in delivery.attempt_log.all()] == [500, 200]
    assert all(request.valid for request in receiver.requests)
    webhook.refresh_from_db()
    assert webhook.consecutive_failures == 0


def test_a_redirect_is_not_followed(webhook, receiver, opened, agent, worker):
    receiver.answers = [(302, {"Location": "http://192.0.2.1/steal"}, b"")]
    conversation = opened()
    with worker():
        change_status(conversation, Conversation.Status.PENDING, by=agent)
    run_deliveries()
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status == 302 and "Redirect not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_slow_receiver_times_out_and_a_big_answer_is_cut(webhook, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    receiver.hold = threading.Event()
    receiver.answers = [(200, {}, b"too late"), (200, {}, b"x" * 2_000_000)]
    delivery = services.send_test(webhook)
    answer = services.attempt(delivery.pk)
    assert answer is not None and answer.status is None and "timed out" in answer.error
    receiver.hold.set()
    receiver.hold = None
    second = services.send_test(webhook)
    answer = services.attempt(second.pk)
    assert answer is not None and answer.ok and len(answer.excerpt) == 500


def test_repeated_failures_switch_the_webhook_off_and_tell_the_admins(webhook, receiver, admin, settings):
    settings.WEBHOOK_MAX_FAILURES = 3
    settings.WEBHOOK_ATTEMPTS = 2
    receiver.answers = [(503, {}, b"down")] * 10
    conversation = _conversation(admin)
    for number in range(2):
        services.queue_rule_call(webhook, conversation, rule_name="Escalate", run_id=number + 1)
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    for delivery in deliveries:
        services.attempt(delivery.pk)
    webhook.refresh_from_db()
    assert webhook.is_active and webhook.consecutive_failures == 2
    services.attempt(deliveries[0].pk)  # its second and last attempt
    webhook.refresh_from_db()
    deliveries[0].refresh_from_db()
    assert deliveries[0].state == WebhookDelivery.State.FAILED
    assert not webhook.is_active and "3 failed deliveries" in webhook.disabled_reason
    notice = Notification.objects.get(agent=admin, kind="webhook")
    assert "CRM" in notice.title
    assert services.attempt(deliveries[1].pk) is None  # switched off: not sent any more
    deliveries[1].refresh_from_db()
    assert deliveries[1].state == WebhookDelivery.State.FAILED


def _conversation(admin):  # type: ignore[no-untyped-def]
    from goodwill.conversations.services import open_conversation
    from goodwill.customers.services import create_customer

    customer = create_customer(name="Dora", emails=["dora@example.com"])
    return open_conversation(customer=customer, subject="Hi", channel="email", text="Hello")[0]


def test_a_rules_call_webhook_action_posts_the_rule_name(webhook, receiver, opened):
    rule = make_rule("Tell the CRM", actions=[{"type": "call_webhook", "value": "crm"}])
    conversation = opened()
    run_deliveries()
    [request] = receiver.requests
    body = json.loads(request.body)
    assert request.valid and body["topic"] == "automation.rule"
    assert body["rule"] == {"name": "Tell the CRM", "run": RuleRun.objects.get(rule=rule).pk}
    assert body["conversation"]["number"] == conversation.number


def test_the_test_button_sends_a_sample_even_to_a_switched_off_webhook(webhook, receiver):
    webhook.is_active = False
    webhook.save()
    delivery = services.send_test(webhook)
    assert services.attempt(delivery.pk).ok  # type: ignore[union-attr]
    body = json.loads(receiver.requests[0].body)
    assert body["test"] is True and body["topic"] == "webhook.test" and receiver.requests[0].valid
