"""/api/v1/conversations/{number}/promises: the promise ledger of a conversation."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Status

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.schemas import AgentRef, Error, Id, Input, Moment, Output, Page, Str300
from goodwill.conversations.selectors import get_conversation_for
from goodwill.promises import services
from goodwill.promises.models import Promise
from goodwill.promises.selectors import conversation_promises

router = Router(tags=["promises"])


class PromiseOut(Output):
    id: int
    conversation: int = Field(..., description="The conversation's number.")
    customer: int = Field(..., description="The customer's id.")
    owner: AgentRef | None
    text: str = Field(..., description="What was promised, in the agent's words.")
    due_at: datetime | None = Field(None, description="When it is due; null until someone dates it.")
    source: Promise.Source
    state: Promise.State
    outcome: str = Field(..., description='"", kept_early, kept_on_time, late, broken or cancelled.')
    reason: str
    message: int | None = Field(None, description="Id of the reply that carried it, once sent.")
    overdue: bool = Field(..., description="Open and past its due time (flagged by the worker).")
    created_at: datetime
    closed_at: datetime | None


class PromiseIn(Input):
    text: Str300 = Field(..., description="What was promised.")
    due_at: Moment | None = Field(
        None, description="When it is due (naive times are UTC); null: not dated yet."
    )


class CloseIn(Input):
    closing: Literal["kept", "broken", "cancelled"] = Field(
        ..., description="kept (early, on time or late is worked out from the time), broken or cancelled."
    )
    reason: Str300 = Field("", description="Needed when broken or cancelled.")


def promise_out(promise: Promise, number: int) -> dict[str, Any]:
    owner = promise.owner
    return {
        "id": promise.pk,
        "conversation": number,
        "customer": promise.customer_id,
        "owner": {"id": owner.pk, "name": owner.display_name, "email": owner.email} if owner else None,
        "text": promise.text,
        "due_at": promise.due_at,
        "source": promise.source,
        "state": promise.state,
        "outcome": promise.outcome,
        "reason": promise.reason,
        "message": promise.message_id,
        "overdue": promise.is_overdue,
        "created_at": promise.created_at,
        "closed_at": promise.closed_at,
    }


@router.get(
    "/{number}/promises",
    response={200: Page[PromiseOut], 404: Error, 422: Error},
    summary="List a conversation's promises",
)
def list_promises(request: HttpRequest, number: Id) -> dict[str, Any]:
    """Open promises first (soonest due), then closed ones; at most 100."""
    conversation = get_conversation_for(agent_of(request), number)
    return {"items": [promise_out(p, number) for p in conversation_promises(conversation.pk)], "next": None}


@router.post(
    "/{number}/promises",
    response={201: PromiseOut, 403: Error, 404: Error, 422: Error},
    summary="Record a promise made to the customer",
)
def create_promise(request: HttpRequest, number: Id, payload: PromiseIn) -> Status[dict[str, Any]]:
    """The caller owns it; the worker reminds them before `due_at` and flags it when due."""
    agent = agent_of(request)
    conversation = get_conversation_for(agent, number)
    require(agent, Action.WRITE_API)
    promise = services.confirm_promise(
        conversation, by=agent, text=payload.text, due_at=payload.due_at, source=Promise.Source.MANUAL
    )
    return Status(201, promise_out(Promise.objects.select_related("owner").get(pk=promise.pk), number))


@router.post(
    "/{number}/promises/{promise_id}/close",
    response={200: PromiseOut, 403: Error, 404: Error, 422: Error},
    summary="Close a promise: kept, broken or cancelled",
)
def close_promise(request: HttpRequest, number: Id, promise_id: Id, payload: CloseIn) -> dict[str, Any]:
    agent = agent_of(request)
    conversation = get_conversation_for(agent, number)
    require(agent, Action.WRITE_API)
    promise = Promise.objects.get(pk=promise_id, conversation=conversation)
    closed = services.close_promise(promise, by=agent, closing=payload.closing, reason=payload.reason)
    return promise_out(Promise.objects.select_related("owner").get(pk=closed.pk), number)
