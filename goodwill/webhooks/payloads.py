"""The JSON body of every webhook POST, as schemas (they are published in the OpenAPI document,
see api/endpoints/webhooks.py) and the function that builds one from an event."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pydantic import BaseModel, Field

from goodwill.conversations.models import Conversation
from goodwill.core.events import REOPENED, SOLVED
from goodwill.core.models import Event

# Every topic about a conversation or its messages (what goodwill/subscribers.py sends here).
TOPICS: list[tuple[str, str]] = [
    *[(kind, label) for kind, label in Event.Kind.choices if kind.startswith(("conversation.", "message."))],
    (SOLVED, "Conversation solved"),
    (REOPENED, "Conversation reopened"),
]
RULE_TOPIC = "automation.rule"
TEST_TOPIC = "webhook.test"


class ActorBody(BaseModel):
    id: int
    name: str


class EventBody(BaseModel):
    id: int = Field(description="core.Event id: the audit row this body reports.")
    kind: str = Field(description="The event's kind, e.g. conversation.status.")
    created_at: datetime
    actor: ActorBody | None = Field(
        description="The agent who made the change; null for the system or a customer."
    )
    before: dict[str, Any] | None = Field(description='Changed values before, e.g. {"status": "open"}.')
    after: dict[str, Any] | None = Field(description='Changed values after, e.g. {"status": "solved"}.')


class ConversationBody(BaseModel):
    number: int
    subject: str
    status: str
    priority: int
    channel: str
    team: str | None
    assignee: str | None = Field(description="The assignee's email.")
    need: str | None
    tags: list[str]
    url: str = Field(description="Link to the conversation in the workspace.")


class CustomerBody(BaseModel):
    id: int
    name: str


class RuleBody(BaseModel):
    name: str
    run: int = Field(description="Id of the rule's run (one per rule and event).")


class WebhookBody(BaseModel):
    """What Goodwill POSTs (`Content-Type: application/json`).

    Headers: `Goodwill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
    `Goodwill-Event: <topic>`, `Goodwill-Delivery: <id>` (the same on every retry: drop repeats).
    Refuse a signature whose `t` is more than 300 seconds from your clock (replay window).
    Answer 2xx within 10 seconds; anything else is retried with exponential backoff, and
    after 10 failures in a row the webhook is switched off and the admins are told.
    """

    id: str = Field(description="Delivery id, also in the Goodwill-Delivery header.")
    topic: str = Field(
        description="The topic: an event kind, conversation.solved/reopened, automation.rule or webhook.test."
    )
    sent_for: datetime = Field(description="When the event happened.")
    event: EventBody | None
    conversation: ConversationBody | None
    customer: CustomerBody | None
    rule: RuleBody | None = Field(description="Set when a rule's “call webhook” action sent it.")
    test: bool = Field(description="True for the “send test” button.")


def _url(path: str) -> str:
    return urljoin(settings.BASE_URL + "/", path)


def conversation_body(conversation: Conversation) -> ConversationBody:
    return ConversationBody(
        number=conversation.number,
        subject=conversation.subject,
        status=conversation.status,
        priority=conversation.priority,
        channel=conversation.channel,
        team=conversation.team.name if conversation.team_id and conversation.team else None,
        assignee=conversation.assignee.email if conversation.assignee_id and conversation.assignee else None,
        need=conversation.need.name if conversation.need_id and conversation.need else None,
        tags=sorted(conversation.tags.values_list("name", flat=True)),
        url=_url(reverse("conversations:detail", args=[conversation.number])),
    )


def build(
    key: str,
    topic: str,
    *,
    event: Event | None = None,
    conversation: Conversation | None = None,
    rule: RuleBody | None = None,
    test: bool = False,
) -> str:
    """The body as compact JSON text (sent byte for byte on every attempt)."""
    if conversation is None and event is not None and event.conversation_id:
        conversation = event.conversation
    customer = conversation.customer if conversation is not None else (event.customer if event else None)
    body = WebhookBody(
        id=key,
        topic=topic,
        sent_for=event.created_at if event else timezone.now(),
        event=EventBody(
            id=event.pk,
            kind=event.kind,
            created_at=event.created_at,
            actor=ActorBody(id=event.actor.pk, name=event.actor.display_name)
            if event.actor_id and event.actor
            else None,
            before=event.before,
            after=event.after,
        )
        if event
        else None,
        conversation=conversation_body(conversation) if conversation is not None else None,
        customer=CustomerBody(id=customer.pk, name=customer.name) if customer is not None else None,
        rule=rule,
        test=test,
    )
    return json.dumps(body.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)
