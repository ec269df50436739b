"""State changes for customers and organisations."""

from __future__ import annotations

from decimal import Decimal
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.core.models import Event
from goodwill.core.services import record_event, record_events
from goodwill.core.text import one_line
from goodwill.customers.models import Customer, Identity, Organisation


def organisation_for_email(address: str) -> Organisation | None:
    """The organisation whose domain list includes the address's domain, if any."""
    domain = address.rpartition("@")[2].lower()
    if not domain:
        return None
    for organisation in Organisation.objects.filter(domains__icontains=domain).only("id", "domains"):
        if domain in organisation.domain_list:
            return organisation
    return None


# Names go into the headers of mail Goodwill sends: one line each (`one_line`), capped.
ONE_LINE = {"name": 200, "preferred_name": 100}


def create_customer(
    *,
    name: str = "",
    emails: list[str] | tuple[str, ...] = (),
    phones: list[str] | tuple[str, ...] = (),
    organisation: Organisation | None = None,
    by: Agent | None = None,
    **fields: Any,
) -> Customer:
    fields = {key: one_line(value, ONE_LINE[key]) if key in ONE_LINE and value else value for key, value in fields.items()}
    cleaned_emails = []
    for address in emails:
        address = Identity.normalise_email(address)
        validate_email(address)
        cleaned_emails.append(address)
    if cleaned_emails and "is_internal" not in fields and any(is_internal_address(a) for a in cleaned_emails):
        fields["is_internal"] = True  # a colleague: the company's own domain (GOODWILL_INTERNAL_DOMAINS)
    with transaction.atomic():
        if organisation is None and cleaned_emails:
            organisation = organisation_for_email(cleaned_emails[0])
        customer = Customer.objects.create(name=one_line(name, 200), organisation=organisation, **fields)
        try:
            with transaction.atomic():
                for index, address in enumerate(cleaned_emails):
                    Identity.objects.create(
                        customer=customer, kind=Identity.Kind.EMAIL, value=address, is_primary=index == 0
                    )
                for index, number in enumerate(phones):
                    Identity.objects.create(
                        customer=customer,
                        kind=Identity.Kind.PHONE,
                        value=Identity.normalise_phone(number),
                        is_primary=index == 0 and not cleaned_emails,
                    )
        except IntegrityError as error:
            raise ValidationError("That email address or phone number belongs to another customer.") from error
        record_event(Event.Kind.CUSTOMER_CREATED, actor=by, customer=customer, subject=customer)
    return customer


def find_or_create_customer_by_email(address: str, *, name: str = "") -> Customer:
    """The customer who owns this address; a new one when nobody does (safe under races)."""
    display_name, parsed = parseaddr(address)
    address = Identity.normalise_email(parsed or address)
    name = one_line(name or display_name, 200)
    existing = Customer.objects.with_email(address).first()
    if existing is not None:
        if not existing.name and name:
            Customer.objects.filter(pk=existing.pk).update(name=name)
            existing.name = name
        return existing
    try:
        with transaction.atomic():
            return create_customer(name=name, emails=[address])
    except ValidationError:
        found = Customer.objects.with_email(address).first()
        if found is None:
            raise
        return found


def is_internal_address(address: str) -> bool:
    """An address on one of the company's own domains (settings.INTERNAL_EMAIL_DOMAINS): a colleague."""
    domains = getattr(settings, "INTERNAL_EMAIL_DOMAINS", ())
    domain = address.rpartition("@")[2].strip().lower()
    return bool(domain) and any(domain == d or domain.endswith("." + d) for d in domains)


def find_or_create_internal_customer(address: str, *, name: str = "") -> Customer:
    """The colleague with this address as a customer, marked internal (created when new)."""
    customer = find_or_create_customer_by_email(address, name=name)
    if not customer.is_internal:
        Customer.objects.filter(pk=customer.pk).update(is_internal=True)
        customer.is_internal = True
    return customer


def create_customers_by_email(people: list[tuple[str, str]]) -> list[Customer]:
    """Many `find_or_create_customer_by_email` calls for addresses the caller found unused, in a few statements.

    `people` holds (address, name) pairs with distinct, normalised and valid addresses. An address
    that someone took meanwhile raises IntegrityError (the caller's transaction is then unusable
    until its savepoint is rolled back).
    """
    if not people:
        return []
    organisations: dict[str, Organisation | None] = {}
    customers = []
    for address, name in people:
        domain = address.rpartition("@")[2].lower()
        if domain not in organisations:
            organisations[domain] = organisation_for_email(address)
        customers.append(
            Customer(
                name=one_line(name, 200), organisation=organisations[domain], is_internal=is_internal_address(address)
            )
        )
    with transaction.atomic():
        Customer.objects.bulk_create(customers)
        Identity.objects.bulk_create(
            [
                Identity(customer=customer, kind=Identity.Kind.EMAIL, value=address, is_primary=True)
                for customer, (address, _name) in zip(customers, people, strict=True)
            ]
        )
        now = timezone.now()
        record_events(
            [
                Event(
                    kind=Event.Kind.CUSTOMER_CREATED,
                    customer=customer,
                    subject_type=customer._meta.label_lower,
                    subject_id=str(customer.pk),
                    created_at=now,
                )
                for customer in customers
            ]
        )
    return customers


def find_or_create_customer_by_phone(number: str, *, name: str = "") -> Customer:
    value = Identity.normalise_phone(number)
    existing = Customer.objects.filter(identities__kind=Identity.Kind.PHONE, identities__value=value).first()
    if existing is not None:
        return existing
    return create_customer(name=name, phones=[value])


CUSTOMER_EDITABLE = (
    "name", "preferred_name", "pronunciation", "language", "time_zone", "preferred_channel", "notes",
    "is_internal",
)


def update_customer(customer: Customer, *, by: Agent | None, **changes: Any) -> Customer:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "organisation":
            current = customer.organisation_id
            new = value.pk if value else None
            if current != new:
                before["organisation"], after["organisation"] = current, new
                customer.organisation = value
            continue
        if field not in CUSTOMER_EDITABLE:
            raise ValidationError({field: "This field cannot be changed."})
        if field in ONE_LINE and isinstance(value, str):
            value = one_line(value, ONE_LINE[field])
        if getattr(customer, field) != value:
            before[field], after[field] = getattr(customer, field), value
            setattr(customer, field, value)
    if not after:
        return customer
    customer.full_clean()
    with transaction.atomic():
        customer.save()
        record_event(
            Event.Kind.CUSTOMER_CHANGED, actor=by, customer=customer, subject=customer, before=before, after=after
        )
    return customer


def add_identity(customer: Customer, *, kind: str, value: str) -> Identity:
    if kind == Identity.Kind.EMAIL:
        value = Identity.normalise_email(value)
        validate_email(value)
    else:
        value = Identity.normalise_phone(value)
        if not value:
            raise ValidationError("Not a phone number.")
    try:
        with transaction.atomic():
            return Identity.objects.create(customer=customer, kind=kind, value=value)
    except IntegrityError as error:
        raise ValidationError(f"{value} already belongs to a customer.") from error


def _json_values(values: dict[str, Any]) -> dict[str, Any]:
    """Event values as JSON: a money value (Decimal) is kept exactly, as its string."""
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in values.items()}


def save_organisation(
    organisation: Organisation | None, *, by: Agent | None, **fields: Any
) -> Organisation:
    organisation = organisation or Organisation()
    before = {key: getattr(organisation, key) for key in fields} if organisation.pk else None
    for key, value in fields.items():
        if key not in ("name", "domains", "notes", "value"):
            raise ValidationError({key: "This field cannot be changed."})
        setattr(organisation, key, value)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
        record_event(
            Event.Kind.ORGANISATION_CHANGED,
            actor=by,
            subject=organisation,
            before=_json_values(before) if before is not None else None,
            after=_json_values(fields),
        )
    return organisation
