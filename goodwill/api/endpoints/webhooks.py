"""/api/v1/webhooks: admins read their webhooks and delivery logs; the body every webhook POST
carries is published here (`WebhookBody` in the components), with how it is signed."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.schemas import Error
from goodwill.webhooks.models import Webhook, WebhookDelivery
from goodwill.webhooks.payloads import (
    ConversationBody,
    CustomerBody,
    EventBody,
    WebhookBody,
)

router = Router(tags=["webhooks"])

SIGNING = """Every webhook POST has `Content-Type: application/json` and the body below (`WebhookBody`).

Headers:

- `Goodwill-Signature: t=<unix seconds>,v1=<hex>`: `<hex>` is HMAC-SHA256, keyed with the
  webhook's secret (shown on its page in the workspace), over the bytes `t + "." + body`.
  Compute it over the raw body before parsing it, compare in constant time.
- `Goodwill-Event`: the topic (e.g. `conversation.status`, `conversation.solved`,
  `automation.rule`, `webhook.test`).
- `Goodwill-Delivery`: the delivery id, the same on every retry; drop one you have seen.

Replay window: refuse a request whose `t` is more than 300 seconds away from your clock.
Every retry is signed again with a new `t`, so a slow retry is still accepted.

Answer with a 2xx status within 10 seconds. Anything else (including a redirect, which is never
followed) is retried with exponential backoff (30 s, 60 s, 120 s… up to 8 attempts); after 10
failed attempts in a row the webhook is switched off and the admins are notified."""


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    topics: list[str]
    is_active: bool
    consecutive_failures: int
    disabled_reason: str


class DeliveryOut(Schema):
    id: int
    key: str
    topic: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


@router.get("", response={200: list[WebhookOut], 403: Error}, summary="List webhooks (admins)")
def list_webhooks(request: HttpRequest) -> list[Webhook]:
    require(agent_of(request), Action.ADMINISTER)
    return list(Webhook.objects.all())


@router.get(
    "/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], 403: Error, 404: Error, 422: Error},
    summary="A webhook's latest deliveries (admins)",
)
def list_deliveries(request: HttpRequest, webhook_id: int) -> list[WebhookDelivery]:
    require(agent_of(request), Action.ADMINISTER)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return list(WebhookDelivery.objects.filter(webhook=webhook).defer("body")[:100])


@router.get(
    "/body",
    response=WebhookBody,
    summary="The JSON body webhooks POST, and how it is signed",
    description=SIGNING,
)
def example_body(request: HttpRequest) -> WebhookBody:
    """An example body, as a receiver gets it for a status change."""
    now = timezone.now()
    return WebhookBody(
        id="12:event:3456",
        topic="conversation.status",
        sent_for=now,
        event=EventBody(
            id=3456,
            kind="conversation.status",
            created_at=now,
            actor=None,
            before={"status": "open"},
            after={"status": "pending"},
        ),
        conversation=ConversationBody(
            number=1042,
            subject="Where is my order?",
            status="pending",
            priority=2,
            channel="email",
            team="Support",
            assignee="sam@example.com",
            need="Delivery",
            tags=["order"],
            url="http://127.0.0.1:8000/c/1042/",
        ),
        customer=CustomerBody(id=7, name="Carla Customer"),
        rule=None,
        test=False,
    )
