"""/api/v1/conversations/{number}/sla: the conversation's SLA targets, live and done."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router

from goodwill.api.endpoints import agent_of
from goodwill.api.schemas import Error, Id, Output
from goodwill.conversations.selectors import get_conversation_for
from goodwill.expectations.models import SlaTarget

router = Router(tags=["sla"])


class SlaTargetOut(Output):
    kind: str
    policy: str
    status: str
    started_at: datetime
    due_at: datetime | None
    paused_remaining_seconds: int | None
    breached_at: datetime | None
    completed_at: datetime | None
    outcome: str
    margin_seconds: int | None


class SlaOut(Output):
    due_at: datetime | None
    targets: list[SlaTargetOut]


@router.get(
    "/{number}/sla",
    response={200: SlaOut, 404: Error, 422: Error},
    summary="A conversation's SLA targets",
    description="Every target (first response, next response, resolution) with its due time while it runs, "
    "the business time left while paused, and its outcome (met/breached, `margin_seconds` of business time "
    "to spare, negative when late) once done. `due_at` is the nearest running due time.",
)
def conversation_sla(request: HttpRequest, number: Id) -> dict[str, object]:
    conversation = get_conversation_for(agent_of(request), number)
    targets = SlaTarget.objects.filter(conversation=conversation).order_by("started_at", "id")
    return {
        "due_at": conversation.sla_due_at,
        "targets": [
            {
                "kind": t.kind,
                "policy": t.policy_name,
                "status": t.status,
                "started_at": t.started_at,
                "due_at": t.due_at,
                "paused_remaining_seconds": t.remaining_seconds if t.status == SlaTarget.Status.PAUSED else None,
                "breached_at": t.breached_at,
                "completed_at": t.completed_at,
                "outcome": t.outcome,
                "margin_seconds": t.margin_seconds,
            }
            for t in targets
        ],
    }
