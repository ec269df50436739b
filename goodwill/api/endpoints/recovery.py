"""/api/v1/recovery/cases: service recovery cases (list, read, open by hand, close with a result)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Status

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import AgentRef, Error, Id, Input, Output, Page, Str40, Str300
from goodwill.conversations.visibility import get_conversation_for
from goodwill.customers.models import Customer
from goodwill.recovery import services
from goodwill.recovery.models import RecoveryCase
from goodwill.recovery.selectors import cases_visible_to, get_case_for

router = Router(tags=["recovery"])


class StepOut(Output):
    id: int
    kind: str = Field(..., description="acknowledge, fix, gesture, follow_up or other.")
    title: str
    due_at: datetime | None
    done_at: datetime | None
    cost: Decimal | None = Field(None, description="What the goodwill gesture cost.")
    note: str


class CaseOut(Output):
    id: int
    customer: int = Field(..., description="The customer's id.")
    conversation: int | None = Field(
        None, description="The conversation's number, when the failure happened in one."
    )
    trigger: RecoveryCase.Trigger
    reason: str
    owner: AgentRef | None
    status: RecoveryCase.Status
    result: str = Field(
        ..., description='"" while open; recovered, not_recovered or no_response once closed.'
    )
    result_note: str
    opened_at: datetime
    due_at: datetime | None = Field(None, description="When the next step not done yet is due.")
    follow_up_at: datetime | None = Field(None, description="From then on the worker measures the result.")
    closed_at: datetime | None
    steps: list[StepOut]


class CaseIn(Input):
    customer: Id = Field(..., description="The customer's id.")
    conversation: Id | None = Field(
        None, description="A conversation's number (its customer must be `customer`)."
    )
    reason: Str300 = Field(..., description="What went wrong.")
    key: Str40 = Field(
        "", description="Idempotency key: the same key opens one case, however often it is sent."
    )


class CloseIn(Input):
    result: Literal["recovered", "not_recovered", "no_response"]
    note: Str300 = Field("", description="What the customer did.")


def case_out(case: RecoveryCase) -> dict[str, Any]:
    owner = case.owner
    return {
        "id": case.pk,
        "customer": case.customer_id,
        "conversation": case.conversation.number if case.conversation else None,
        "trigger": case.trigger,
        "reason": case.reason,
        "owner": {"id": owner.pk, "name": owner.display_name, "email": owner.email} if owner else None,
        "status": case.status,
        "result": case.result,
        "result_note": case.result_note,
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "follow_up_at": case.follow_up_at,
        "closed_at": case.closed_at,
        "steps": [
            {
                "id": s.pk,
                "kind": s.kind,
                "title": s.title,
                "due_at": s.due_at,
                "done_at": s.done_at,
                "cost": s.cost,
                "note": s.note,
            }
            for s in case.steps.all()
        ],
    }


def _rows() -> Any:
    return RecoveryCase.objects.select_related("owner", "conversation").prefetch_related("steps")


@router.get("/cases", response={200: Page[CaseOut], 400: Error, 422: Error}, summary="List recovery cases")
def list_cases(
    request: HttpRequest,
    status: Literal["open", "closed"] | None = None,
    customer: Id | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Newest first (by id); cases of restricted teams the caller is not in are left out."""
    rows = (
        cases_visible_to(agent_of(request)).select_related("owner", "conversation").prefetch_related("steps")
    )
    if status is not None:
        rows = rows.filter(status=status)
    if customer is not None:
        rows = rows.filter(customer_id=customer)
    page, next_cursor = keyset_page(rows, resource="recovery", cursor=cursor, limit=limit, descending=True)
    return {"items": [case_out(case) for case in page], "next": next_cursor}


@router.get(
    "/cases/{case_id}", response={200: CaseOut, 404: Error, 422: Error}, summary="Read a recovery case"
)
def read_case(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    return case_out(get_case_for(agent_of(request), case_id))


@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, 403: Error, 404: Error, 422: Error},
    summary="Open a recovery case by hand",
)
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    """201 when opened; 200 with the existing case when the same `key` was sent before."""
    agent = agent_of(request)
    require(agent, Action.WRITE_API)
    customer = Customer.objects.get(pk=payload.customer)
    conversation = None
    if payload.conversation is not None:
        conversation = get_conversation_for(agent, payload.conversation)
        if conversation.customer_id != customer.pk:
            return Status(422, {"detail": {"conversation": "That conversation belongs to another customer."}})
    case, created = services.open_case_by_hand(
        customer,
        by=agent,
        reason=payload.reason,
        conversation=conversation,
        token=f"api:{payload.key}" if payload.key else "",
    )
    return Status(201 if created else 200, case_out(get_case_for(agent, case.pk)))


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, 403: Error, 404: Error, 422: Error},
    summary="Close a recovery case with its result",
)
def close_case(request: HttpRequest, case_id: Id, payload: CloseIn) -> Status[dict[str, Any]]:
    agent = agent_of(request)
    case = get_case_for(agent, case_id)
    require(agent, Action.WRITE_API)
    if not services.close_case(case, result=payload.result, by=agent, note=payload.note):
        return Status(422, {"detail": "This case was closed already."})
    return Status(200, case_out(get_case_for(agent, case.pk)))
