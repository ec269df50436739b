"""/api/v1/organisations: every agent may read them; agents and admins may create and change them."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status
from pydantic import StringConstraints

from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import Error, Id, Input, LongText, Output, Page, Str100, Str200
from goodwill.customers.models import Organisation
from goodwill.customers.services import save_organisation

router = Router(tags=["organisations"])

Domains = Annotated[list[Str100], Field(max_length=50, description="Email domains, e.g. example.com.")]
Value = Annotated[
    Decimal,
    Field(
        ge=0,
        max_digits=14,
        decimal_places=2,
        description="What the organisation is worth to you (e.g. yearly revenue); ranks interviews and the churn watch.",
    ),
]


class OrganisationOut(Output):
    id: int
    name: str
    domains: list[str]
    notes: str
    value: Decimal | None = Field(description="What the organisation is worth to you; null when not set.")
    created_at: datetime
    updated_at: datetime


class OrganisationIn(Input):
    name: Annotated[Str200, StringConstraints(min_length=1)]
    domains: Domains = Field(default_factory=list)
    notes: LongText = ""
    value: Value | None = None


class OrganisationPatch(Input):
    name: Annotated[Str200, StringConstraints(min_length=1)] | None = None
    domains: Domains | None = None
    notes: LongText | None = None
    value: Value | None = None


def organisation_out(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "domains": organisation.domain_list,
        "notes": organisation.notes,
        "value": organisation.value,
        "created_at": organisation.created_at,
        "updated_at": organisation.updated_at,
    }


def _fields(changes: dict[str, Any]) -> dict[str, Any]:
    """Model values from API values; domains are stored as one comma-separated string."""
    nulls = {
        field: "May not be null." for field, value in changes.items() if value is None and field != "value"
    }
    if nulls:
        raise ValidationError(nulls)
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if changes.get("value") is not None:
        changes["value"] = changes["value"].quantize(Decimal("0.01"))
    if "domains" in changes:
        domains = [domain.strip().lower().lstrip("@") for domain in changes["domains"] if domain.strip()]
        bad = [domain for domain in domains if "," in domain or " " in domain or "." not in domain]
        if bad:
            raise ValidationError({"domains": f"Not a domain: {bad[0]!r}."})
        changes["domains"] = ", ".join(dict.fromkeys(domains))
        if len(changes["domains"]) > 500:
            raise ValidationError({"domains": "Too many domains (500 characters at most)."})
    return changes


@router.get("", response={200: Page[OrganisationOut], 400: Error, 422: Error}, summary="List organisations")
def list_organisations(
    request: HttpRequest,
    q: Annotated[Str200 | None, Query(description="Name prefix, or one of its domains.")] = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Oldest first (by id)."""
    queryset = Organisation.objects.all()
    if q and q.strip():
        term = q.strip()
        queryset = queryset.filter(Q(name__istartswith=term) | Q(domains__icontains=term.lower().lstrip("@")))
    rows, next_cursor = keyset_page(queryset, resource="organisations", cursor=cursor, limit=limit)
    return {"items": [organisation_out(row) for row in rows], "next": next_cursor}


@router.get(
    "/{organisation_id}",
    response={200: OrganisationOut, 404: Error, 422: Error},
    summary="Read an organisation",
)
def read_organisation(request: HttpRequest, organisation_id: Id) -> dict[str, Any]:
    return organisation_out(Organisation.objects.get(pk=organisation_id))


@router.post("", response={201: OrganisationOut, 403: Error, 422: Error}, summary="Create an organisation")
def create(request: HttpRequest, response: HttpResponse, payload: OrganisationIn) -> Status[dict[str, Any]]:
    agent = agent_of(request)
    require(agent, Action.WRITE_API)
    organisation = save_organisation(None, by=agent, **_fields(payload.model_dump()))
    response["Location"] = f"{request.path.rstrip('/')}/{organisation.pk}"
    return Status(201, organisation_out(organisation))


@router.patch(
    "/{organisation_id}",
    response={200: OrganisationOut, 403: Error, 404: Error, 422: Error},
    summary="Change an organisation",
)
def update(request: HttpRequest, organisation_id: Id, payload: OrganisationPatch) -> dict[str, Any]:
    agent = agent_of(request)
    organisation = Organisation.objects.get(pk=organisation_id)
    require(agent, Action.WRITE_API)
    changes = _fields(payload.model_dump(exclude_unset=True))
    if changes:
        organisation = save_organisation(organisation, by=agent, **changes)
    return organisation_out(organisation)
