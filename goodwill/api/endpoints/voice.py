"""/api/v1/customers/{id}/returned: tell Goodwill a customer came back outside it (the grid counts it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Status

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.schemas import Error, Id, Input, Output, Str200
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer
from goodwill.voice.models import ReturnEvent

router = Router(tags=["feedback"])


class ReturnedIn(Input):
    at: datetime | None = Field(None, description="When they came back (default: now). Not in the future.")
    note: Str200 = Field("", description='What it was, e.g. "renewed the yearly plan".')


class ReturnedOut(Output):
    id: int
    customer: int
    at: datetime
    note: str


@router.post(
    "/{customer_id}/returned",
    response={201: ReturnedOut, 403: Error, 404: Error, 422: Error},
    summary="Record that a customer came back",
)
def returned(request: HttpRequest, response: HttpResponse, customer_id: Id, payload: ReturnedIn) -> Status[dict[str, Any]]:
    require(agent_of(request), Action.WRITE_API)
    customer = Customer.objects.get(pk=customer_id)
    at = payload.at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_current_timezone())
    if at > timezone.now() + timedelta(minutes=5):
        return Status(422, {"detail": "A return cannot be in the future."})
    with transaction.atomic():
        event = ReturnEvent.objects.create(customer=customer, at=at, note=payload.note)
        # Service recovery counts a return as "came back" (a recovered case).
        record_event(Event.Kind.CUSTOMER_RETURNED, actor=agent_of(request), customer=customer, subject=event,
                     after={"note": event.note, "at": at.isoformat()}, at=at)
    return Status(201, {"id": event.pk, "customer": customer.pk, "at": event.at, "note": event.note})
