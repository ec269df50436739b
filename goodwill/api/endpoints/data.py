"""/api/v1/customers/{id}/export and /erasure: GDPR access and erasure requests, admins only."""

from __future__ import annotations

import tempfile
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Router

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.schemas import Error, Id, Input, Output
from goodwill.customers.models import Customer
from goodwill.data.erasure import erase_customer
from goodwill.data.export import TEAM, write_export

router = Router(tags=["customer data"])


class ErasureIn(Input):
    mode: Literal["delete", "anonymise"]


class ErasureOut(Output):
    erasure: int
    mode: str
    counts: dict[str, int]


@router.get(
    "/{customer_id}/export",
    response={200: None, 403: Error, 404: Error, 422: Error},
    summary="Export a customer's data (ZIP)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "A ZIP: JSON (README layout) and the original files.",
                "content": {"application/zip": {}},
            }
        }
    },
)
def export_customer(request: HttpRequest, customer_id: Id) -> FileResponse:
    """Everything that refers to the customer: profile, conversations with messages and
    attachments, raw emails, and every other record (notes, events, facts, scores)."""
    require(agent_of(request), Action.ADMINISTER)
    customer = Customer.objects.get(pk=customer_id)
    spool = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115 - FileResponse closes it
    write_export(customer, spool, audience=TEAM)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"customer-{customer.pk}-data.zip", content_type="application/zip"
    )


@router.post(
    "/{customer_id}/erasure",
    response={200: ErasureOut, 403: Error, 404: Error, 422: Error},
    summary="Erase a customer",
)
def erase(request: HttpRequest, customer_id: Id, payload: ErasureIn) -> dict[str, Any]:
    """`delete`: their conversations go (Message-IDs stay as tombstones); `anonymise`: the
    conversations stay with the person's data replaced. Not reversible."""
    agent = agent_of(request)
    require(agent, Action.ADMINISTER)
    customer = Customer.objects.get(pk=customer_id)
    erasure = erase_customer(customer, keep_conversations=payload.mode == "anonymise", actor=agent)
    return {"erasure": erasure.pk, "mode": erasure.mode, "counts": erasure.counts}
