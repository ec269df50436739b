"""/api/v1/customers: every agent may read customers; agents and admins may create and change them."""

import zoneinfo
from datetime import datetime
from functools import cache
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Status

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.api.endpoints import agent_of
from goodwill.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, keyset_page
from goodwill.api.schemas import (
    Error,
    Id,
    Input,
    LongText,
    OrganisationRef,
    Output,
    Page,
    Str12,
    Str20,
    Str40,
    Str64,
    Str100,
    Str200,
    Str254,
)
from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.customers.services import add_identity, create_customer, update_customer

router = Router(tags=["customers"])


class CustomerOut(Output):
    id: int
    name: str
    preferred_name: str
    pronunciation: str
    organisation: OrganisationRef | None
    language: str
    time_zone: str
    preferred_channel: str
    is_internal: bool
    notes: str
    emails: list[str]
    phones: list[str]
    last_contact_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CustomerFields(Input):
    preferred_name: Str100 = ""
    pronunciation: Str100 = ""
    language: Str12 = ""
    time_zone: Str64 = Field("", description="An IANA zone such as Europe/Berlin.")
    preferred_channel: Str20 = ""
    is_internal: bool = False
    notes: LongText = ""


class CustomerIn(CustomerFields):
    name: Str200 = ""
    organisation: Id | None = Field(
        None, description="Organisation id; by default the one owning the email domain."
    )
    emails: Annotated[list[Str254], Field(max_length=20)] = Field(default_factory=list)
    phones: Annotated[list[Str40], Field(max_length=20)] = Field(default_factory=list)


class CustomerPatch(Input):
    name: Str200 | None = None
    preferred_name: Str100 | None = None
    pronunciation: Str100 | None = None
    language: Str12 | None = None
    time_zone: Str64 | None = None
    preferred_channel: Str20 | None = None
    is_internal: bool | None = None
    notes: LongText | None = None
    organisation: Id | None = Field(None, description="Organisation id; null removes it.")
    add_emails: Annotated[list[Str254], Field(max_length=20)] | None = Field(
        None, description="Email addresses to add; each must not belong to another customer."
    )
    add_phones: Annotated[list[Str40], Field(max_length=20)] | None = Field(
        None, description="Phone numbers to add."
    )


def customer_out(customer: Customer) -> dict[str, Any]:
    identities = list(customer.identities.all())
    organisation = customer.organisation
    return {
        "id": customer.pk,
        "name": customer.name,
        "preferred_name": customer.preferred_name,
        "pronunciation": customer.pronunciation,
        "organisation": {"id": organisation.pk, "name": organisation.name} if organisation else None,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "preferred_channel": customer.preferred_channel,
        "is_internal": customer.is_internal,
        "notes": customer.notes,
        "emails": [item.value for item in identities if item.kind == Identity.Kind.EMAIL],
        "phones": [item.value for item in identities if item.kind == Identity.Kind.PHONE],
        "last_contact_at": customer.last_contact_at,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def _with_details(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    return queryset.select_related("organisation").prefetch_related("identities")


def _reload(pk: int) -> dict[str, Any]:
    return customer_out(_with_details(Customer.objects.all()).get(pk=pk))


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if fields.get("time_zone") and fields["time_zone"] not in _zones():
        errors["time_zone"] = "Not a known time zone."
    for number in fields.get("phones") or ():
        if not any(ch.isdigit() for ch in Identity.normalise_phone(number)):
            errors["phones"] = f"{number!r} is not a phone number."
    if errors:
        raise ValidationError(errors)


def _organisation(pk: int | None) -> Organisation | None:
    if pk is None:
        return None
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise ValidationError({"organisation": "No such organisation."})
    return organisation


@router.get("", response={200: Page[CustomerOut], 400: Error, 422: Error}, summary="List customers")
def list_customers(
    request: HttpRequest,
    q: Annotated[Str200 | None, Query(description="Name prefix, or an exact email address.")] = None,
    organisation: Id | None = None,
    email: Str254 | None = None,
    cursor: CursorParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Oldest first (by id)."""
    queryset = Customer.objects.all()
    if q and q.strip():
        term = q.strip()
        queryset = queryset.filter(
            Q(name__istartswith=term)
            | Q(
                pk__in=Identity.objects.filter(
                    kind=Identity.Kind.EMAIL, value=Identity.normalise_email(term)
                ).values("customer_id")
            )
        )
    if organisation is not None:
        queryset = queryset.filter(organisation_id=organisation)
    if email is not None:
        queryset = queryset.filter(
            pk__in=Identity.objects.filter(
                kind=Identity.Kind.EMAIL, value=Identity.normalise_email(email)
            ).values("customer_id")
        )
    rows, next_cursor = keyset_page(_with_details(queryset), resource="customers", cursor=cursor, limit=limit)
    return {"items": [customer_out(row) for row in rows], "next": next_cursor}


@router.get("/{customer_id}", response={200: CustomerOut, 404: Error, 422: Error}, summary="Read a customer")
def read_customer(request: HttpRequest, customer_id: Id) -> dict[str, Any]:
    return _reload(Customer.objects.get(pk=customer_id).pk)


@router.post("", response={201: CustomerOut, 403: Error, 422: Error}, summary="Create a customer")
def create(request: HttpRequest, response: HttpResponse, payload: CustomerIn) -> Status[dict[str, Any]]:
    agent: Agent = agent_of(request)
    require(agent, Action.WRITE_API)
    fields = payload.model_dump()
    _check(fields)
    customer = create_customer(
        name=fields.pop("name"),
        emails=fields.pop("emails"),
        phones=fields.pop("phones"),
        organisation=_organisation(fields.pop("organisation")),
        by=agent,
        **fields,
    )
    response["Location"] = f"{request.path.rstrip('/')}/{customer.pk}"
    return Status(201, _reload(customer.pk))


NOT_NULL = (
    "name",
    "preferred_name",
    "pronunciation",
    "language",
    "time_zone",
    "preferred_channel",
    "is_internal",
    "notes",
    "add_emails",
    "add_phones",
)


@router.patch(
    "/{customer_id}",
    response={200: CustomerOut, 403: Error, 404: Error, 422: Error},
    summary="Change a customer",
)
def update(request: HttpRequest, customer_id: Id, payload: CustomerPatch) -> dict[str, Any]:
    """Only the fields you send change; the change is written to the audit log."""
    agent = agent_of(request)
    customer = Customer.objects.get(pk=customer_id)
    require(agent, Action.WRITE_API)
    changes = payload.model_dump(exclude_unset=True)
    nulls = {field: "May not be null." for field in NOT_NULL if field in changes and changes[field] is None}
    if nulls:
        raise ValidationError(nulls)
    emails, phones = changes.pop("add_emails", []), changes.pop("add_phones", [])
    _check({**changes, "phones": phones})
    if "organisation" in changes:
        changes["organisation"] = _organisation(changes["organisation"])
    with transaction.atomic():
        update_customer(customer, by=agent, **changes)
        for address in emails:
            add_identity(customer, kind=Identity.Kind.EMAIL, value=address)
        for number in phones:
            add_identity(customer, kind=Identity.Kind.PHONE, value=number)
    return _reload(customer.pk)
