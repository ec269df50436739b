"""Customers, their email addresses and phone numbers, and organisations."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from goodwill.accounts.models import Agent
from goodwill.core.models import Event
from goodwill.customers.models import Customer, Identity
from goodwill.customers.services import (
    add_identity,
    create_customer,
    find_or_create_customer_by_email,
    find_or_create_customer_by_phone,
    organisation_for_email,
    save_organisation,
    update_customer,
)

pytestmark = pytest.mark.django_db


def test_create_customer_stores_addresses_lower_cased_and_the_first_as_primary() -> None:
    customer = create_customer(name="  Dana Diaz ", emails=["Dana@Example.COM ", "dana.work@example.com"])

    assert customer.name == "Dana Diaz"
    assert list(customer.identities.values_list("value", "is_primary")) == [
        ("dana@example.com", True),
        ("dana.work@example.com", False),
    ]
    assert customer.primary_email == "dana@example.com"
    assert Event.objects.filter(kind=Event.Kind.CUSTOMER_CREATED, customer=customer).count() == 1


def test_create_customer_refuses_an_invalid_address() -> None:
    with pytest.raises(ValidationError):
        create_customer(name="Nobody", emails=["not an address"])

    assert not Customer.objects.exists()


def test_an_address_belongs_to_one_customer_only() -> None:
    create_customer(name="First", emails=["same@example.com"])

    with pytest.raises(ValidationError, match="belongs to another customer"):
        create_customer(name="Second", emails=["SAME@example.com"])

    assert list(Customer.objects.values_list("name", flat=True)) == ["First"]


def test_a_customer_joins_the_organisation_of_their_domain() -> None:
    acme = save_organisation(None, by=None, name="Acme", domains="acme.test, acme-corp.test")

    customer = create_customer(name="Ann", emails=["ann@ACME-corp.test"])

    assert customer.organisation == acme
    assert organisation_for_email("someone@acme.test") == acme
    assert organisation_for_email("someone@notacme.test") is None
    assert organisation_for_email("no-domain") is None


def test_find_or_create_by_email_reuses_the_customer_and_reads_the_display_name() -> None:
    first = find_or_create_customer_by_email('"Erin Example" <Erin@Example.com>')
    again = find_or_create_customer_by_email("erin@example.com")

    assert first == again
    assert first.name == "Erin Example"
    assert Customer.objects.count() == 1


def test_find_or_create_by_email_fills_in_a_missing_name() -> None:
    nameless = find_or_create_customer_by_email("fay@example.com")

    named = find_or_create_customer_by_email("Fay Field <fay@example.com>")

    assert named == nameless
    nameless.refresh_from_db()
    assert nameless.name == "Fay Field"


def test_find_or_create_by_phone_normalises_the_number() -> None:
    first = find_or_create_customer_by_phone("+44 (20) 7946-0018", name="Gus")
    again = find_or_create_customer_by_phone("+442079460018")

    assert first == again
    assert first.identities.get().value == "+442079460018"
    assert first.identities.get().is_primary


def test_update_customer_records_what_changed(agent: Agent, customer: Customer) -> None:
    update_customer(customer, by=agent, preferred_name="Carly", language="de", name=customer.name)

    customer.refresh_from_db()
    assert (customer.preferred_name, customer.language) == ("Carly", "de")
    assert customer.greeting_name == "Carly"
    event = Event.objects.get(kind=Event.Kind.CUSTOMER_CHANGED)
    assert event.actor == agent
    assert event.before == {"preferred_name": "", "language": ""}
    assert event.after == {"preferred_name": "Carly", "language": "de"}


def test_update_customer_without_changes_records_nothing(customer: Customer) -> None:
    update_customer(customer, by=None, name=customer.name)

    assert not Event.objects.filter(kind=Event.Kind.CUSTOMER_CHANGED).exists()


def test_update_customer_refuses_fields_outside_its_list(customer: Customer) -> None:
    with pytest.raises(ValidationError):
        update_customer(customer, by=None, created_at=None)


def test_update_customer_moves_them_to_another_organisation(customer: Customer) -> None:
    globex = save_organisation(None, by=None, name="Globex")

    update_customer(customer, by=None, organisation=globex)

    customer.refresh_from_db()
    assert customer.organisation == globex
    assert Event.objects.get(kind=Event.Kind.CUSTOMER_CHANGED).after == {"organisation": globex.pk}


def test_add_identity_refuses_someone_elses_address(customer: Customer) -> None:
    other = create_customer(name="Other", emails=["other@example.com"])

    added = add_identity(customer, kind=Identity.Kind.PHONE, value="+1 555 0100")
    with pytest.raises(ValidationError, match="already belongs"):
        add_identity(customer, kind=Identity.Kind.EMAIL, value="Other@example.com")
    with pytest.raises(ValidationError):
        add_identity(customer, kind=Identity.Kind.PHONE, value="call me")

    assert added.value == "+15550100"
    assert other.identities.count() == 1
    assert customer.identities.count() == 2


def test_the_greeting_falls_back_to_the_first_name(customer: Customer) -> None:
    assert customer.greeting_name == "Carla"
    assert str(customer) == "Carla Customer"


def test_save_organisation_records_before_and_after(agent: Agent) -> None:
    org = save_organisation(None, by=agent, name="Initech", domains="initech.test")

    save_organisation(org, by=agent, name="Initech Ltd")

    org.refresh_from_db()
    assert org.name == "Initech Ltd"
    events = list(Event.objects.filter(kind=Event.Kind.ORGANISATION_CHANGED).values_list("before", "after"))
    assert events == [(None, {"name": "Initech", "domains": "initech.test"}), ({"name": "Initech"}, {"name": "Initech Ltd"})]


def test_save_organisation_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        save_organisation(None, by=None, name="X", owner="me")
