"""Customer memory over the API: facts (agents only, never the customer), the timeline,
possible duplicates, and merging two customer records.

Every agent reads; light agents may not write (`Action.WRITE_API`, `Action.EDIT_CUSTOMER`).
Facts learned in a restricted team's conversation follow `memory.selectors.facts_visible_to`.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Status
from ninja.errors import HttpError

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import AgentRef, Error, Id, Input, Output, Page, Str300
from goodwill.conversations.models import Message
from goodwill.conversations.visibility import can_see_conversation, get_conversation_for
from goodwill.customers.models import Customer
from goodwill.memory.duplicates import possible_duplicates
from goodwill.memory.merge import merge_customers
from goodwill.memory.models import Fact
from goodwill.memory.selectors import facts_visible_to, get_fact_for
from goodwill.memory.services import add_fact, edit_fact, mark_outdated
from goodwill.memory.timeline import PAGE, Cursor, customer_timeline

customers_router = Router(tags=["customer memory"])
facts_router = Router(tags=["customer memory"])

Category = Literal[
    "family", "interests", "date", "likes", "dislikes", "communication", "accessibility", "other"
]


class FactOut(Output):
    id: int
    customer: int
    category: str
    text: str
    date: dt.date | None
    is_outdated: bool
    outdated_at: dt.datetime | None
    is_shareable: bool
    team: int | None = Field(
        description="The restricted team it was learned in; only that team sees it unless shareable."
    )
    learned_by: AgentRef | None
    learned_at: dt.datetime
    source_message: int | None
    source_conversation: int | None = Field(description="The conversation number it was learned in.")
    updated_at: dt.datetime


class FactIn(Input):
    category: Category
    text: str = Field(max_length=500)
    date: dt.date | None = Field(
        None, description="For important dates (recurs yearly); read from the text if left out."
    )
    message: Id | None = Field(None, description="The id of the message it was learned from.")
    conversation: Id | None = Field(None, description="The number of the conversation it was learned in.")
    is_shareable: bool = False


class FactPatch(Input):
    category: Category | None = None
    text: str | None = Field(None, max_length=500)
    date: dt.date | None = None
    is_shareable: bool | None = None
    is_outdated: bool | None = Field(
        None, description="True marks it outdated (kept as history); false restores it."
    )


class TimelineEntryOut(Output):
    at: dt.datetime
    kind: str
    id: int
    title: str
    body: str
    url: str
    actor: str


class DuplicateOut(Output):
    customer: int
    name: str
    reasons: list[str]


class MergeIn(Input):
    other: Id = Field(description="The customer merged into this one; that record is removed.")
    reason: Str300 = ""


class MergeOut(Output):
    survivor: int
    merged_customer: int
    moved: dict[str, int]
    merged_at: dt.datetime


def fact_out(fact: Fact) -> dict[str, Any]:
    agent = fact.learned_by
    return {
        "id": fact.pk,
        "customer": fact.customer_id,
        "category": fact.category,
        "text": fact.text,
        "date": fact.date,
        "is_outdated": fact.is_outdated,
        "outdated_at": fact.outdated_at,
        "is_shareable": fact.is_shareable,
        "team": fact.team_id,
        "learned_by": {"id": agent.pk, "name": agent.display_name, "email": agent.email} if agent else None,
        "learned_at": fact.learned_at,
        "source_message": fact.source_message_id,
        "source_conversation": fact.source_conversation.number if fact.source_conversation else None,
        "updated_at": fact.updated_at,
    }


def _facts(agent: Any, customer: int) -> Any:
    return facts_visible_to(agent, customer).select_related("learned_by", "source_conversation")


@customers_router.get(
    "/{customer_id}/facts",
    response={200: Page[FactOut], 400: Error, 404: Error, 422: Error},
    summary="List a customer's facts",
)
def list_facts(
    request: HttpRequest,
    customer_id: Id,
    include_outdated: bool = False,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Newest first. Outdated facts only with `include_outdated=true`."""
    agent = agent_of(request)
    customer = Customer.objects.get(pk=customer_id)
    facts = _facts(agent, customer.pk)
    if not include_outdated:
        facts = facts.filter(outdated_at__isnull=True)
    rows, following = keyset_page(
        facts, resource="facts", cursor=cursor, limit=limit, field="learned_at", descending=True
    )
    return {"items": [fact_out(row) for row in rows], "next": following}


@customers_router.post(
    "/{customer_id}/facts",
    response={201: FactOut, 403: Error, 404: Error, 422: Error},
    summary="Remember a fact",
)
def create_fact(
    request: HttpRequest, response: HttpResponse, customer_id: Id, payload: FactIn
) -> Status[dict[str, Any]]:
    agent = agent_of(request)
    require(agent, Action.WRITE_API)
    customer = Customer.objects.get(pk=customer_id)
    message = conversation = None
    if payload.message is not None:
        message = (
            Message.objects.select_related("conversation", "conversation__team")
            .filter(pk=payload.message)
            .first()
        )
        if message is None or not can_see_conversation(agent, message.conversation):
            raise Http404("No such message.")
    elif payload.conversation is not None:
        conversation = get_conversation_for(agent, payload.conversation)
    fact = add_fact(
        customer,
        category=payload.category,
        text=payload.text,
        date=payload.date,
        by=agent,
        message=message,
        conversation=conversation,
        is_shareable=payload.is_shareable,
    )
    response["Location"] = f"/api/v1/facts/{fact.pk}"
    return Status(201, fact_out(_facts(agent, customer.pk).get(pk=fact.pk)))


@facts_router.get("/{fact_id}", response={200: FactOut, 404: Error, 422: Error}, summary="Read a fact")
def read_fact(request: HttpRequest, fact_id: Id) -> dict[str, Any]:
    agent = agent_of(request)
    fact = get_fact_for(agent, fact_id)
    return fact_out(_facts(agent, fact.customer_id).get(pk=fact.pk))


@facts_router.patch(
    "/{fact_id}", response={200: FactOut, 403: Error, 404: Error, 422: Error}, summary="Change a fact"
)
def change_fact(request: HttpRequest, fact_id: Id, payload: FactPatch) -> dict[str, Any]:
    """The earlier wording is kept as a revision; `is_outdated` marks it outdated or current."""
    agent = agent_of(request)
    require(agent, Action.WRITE_API)
    fact = get_fact_for(agent, fact_id)
    fields = payload.model_dump(exclude_unset=True)
    outdated = fields.pop("is_outdated", None)
    if fields.get("text") is None:
        fields.pop("text", None)
    edit_fact(fact, by=agent, **fields)
    if outdated is not None:
        mark_outdated(fact, by=agent, outdated=outdated)
    return fact_out(_facts(agent, fact.customer_id).get(pk=fact.pk))


@customers_router.get(
    "/{customer_id}/timeline",
    response={200: Page[TimelineEntryOut], 400: Error, 404: Error, 422: Error},
    summary="A customer's timeline",
)
def timeline(request: HttpRequest, customer_id: Id, cursor: CursorParam = None) -> dict[str, Any]:
    """Everything that happened with the customer across conversations and channels, newest first."""
    customer = Customer.objects.get(pk=customer_id)
    try:
        after = Cursor.decode(cursor) if cursor else None
    except ValueError:
        raise HttpError(400, "Invalid cursor.")
    entries, following = customer_timeline(agent_of(request), customer, cursor=after, limit=PAGE)
    return {
        "items": [
            {
                "at": e.at,
                "kind": e.kind,
                "id": e.id,
                "title": e.title,
                "body": e.body,
                "url": e.url,
                "actor": e.actor,
            }
            for e in entries
        ],
        "next": following.encode() if following else None,
    }


@customers_router.get(
    "/{customer_id}/duplicates", response={200: list[DuplicateOut], 404: Error, 422: Error}, summary="Possible duplicates"
)
def duplicates(request: HttpRequest, customer_id: Id) -> list[dict[str, Any]]:
    """Other customer records that may be the same person, each with the reasons."""
    customer = Customer.objects.prefetch_related("identities").get(pk=customer_id)
    return [
        {"customer": s.customer.pk, "name": str(s.customer), "reasons": s.reasons}
        for s in possible_duplicates(customer)
    ]


@customers_router.post(
    "/{customer_id}/merge",
    response={200: MergeOut, 403: Error, 404: Error, 422: Error},
    summary="Merge customers",
)
def merge(request: HttpRequest, customer_id: Id, payload: MergeIn) -> dict[str, Any]:
    """Fold customer `other` into this one: identities, conversations, messages, facts and events
    move here in one transaction, recorded in the audit log; the other record is removed."""
    agent = agent_of(request)
    require(agent, Action.WRITE_API)
    survivor = Customer.objects.get(pk=customer_id)
    other = Customer.objects.filter(pk=payload.other).first()
    if other is None:
        raise ValidationError({"other": "No such customer (already merged?)."})
    record = merge_customers(survivor, other, by=agent, reason=payload.reason)
    return {
        "survivor": record.survivor_id,
        "merged_customer": record.merged_customer_id,
        "moved": record.moved,
        "merged_at": record.merged_at,
    }
