import pytest
from django.utils import timezone

from goodwill.core.events import subscribed
from goodwill.customers.models import Organisation
from goodwill.customers.services import add_identity, create_customer, update_customer
from goodwill.memory.duplicates import (
    build_all_keys,
    canonical_email,
    phone_key,
    possible_duplicates,
    refresh_changed_keys,
)

pytestmark = pytest.mark.django_db


def test_email_and_phone_keys_ignore_harmless_differences():
    assert canonical_email("Maria.Lopez+shop@GoogleMail.com") == "marialopez@gmail.com"
    assert canonical_email("maria+x@example.com") == "maria@example.com"
    assert phone_key("+44 20 7946 0018") == phone_key("020 7946 0018") == "079460018"


def test_it_suggests_the_same_email_phone_or_a_similar_name_in_one_organisation_with_the_reason(agent):
    acme = Organisation.objects.create(name="Acme")
    with subscribed({}):
        maria = create_customer(
            name="María López",
            emails=["maria.lopez@gmail.com"],
            phones=["+34 612 345 678"],
            organisation=acme,
        )
        by_email = create_customer(name="M L", emails=["marialopez+shop@gmail.com"])
        by_phone = create_customer(name="Someone", phones=["612 345 678"])
        by_name = create_customer(name="Lopez Maria", emails=["ml@acme.test"], organisation=acme)
        initial = create_customer(name="M. Lopez", emails=["m@acme.test"], organisation=acme)
        elsewhere = create_customer(name="Maria Lopez", emails=["maria@other.test"])
    build_all_keys()
    found = {s.customer.pk: s.reason for s in possible_duplicates(maria)}
    assert set(found) == {by_email.pk, by_phone.pk, by_name.pk, initial.pk}
    assert elsewhere.pk not in found
    assert found[by_email.pk] == "Same email address: marialopez+shop@gmail.com / maria.lopez@gmail.com"
    assert found[by_phone.pk].startswith("Same phone number: 612345678")
    assert found[by_name.pk] == "Similar name in Acme: Lopez Maria / María López"


def test_keys_follow_changes_through_the_event_seam_and_the_sweep(agent):
    with subscribed({}):
        first = create_customer(name="Ann", emails=["ann@example.test"])
        second = create_customer(name="Bob", emails=["bob@example.test"])
    refresh_changed_keys(timezone.now())
    assert possible_duplicates(first) == []
    add_identity(second, kind="email", value="ann+news@example.test")  # no event: the sweep finds it
    assert refresh_changed_keys(timezone.now())
    assert [s.customer for s in possible_duplicates(first)] == [second]
    assert refresh_changed_keys(timezone.now()) is None  # nothing new, nothing done
    acme = Organisation.objects.create(name="Acme")
    with subscribed({}):
        update_customer(first, by=agent, name="Ann Lee", organisation=acme)
        third = create_customer(name="A. Lee", emails=["al@acme.test"], organisation=acme)
    assert refresh_changed_keys(timezone.now())
    assert {s.customer for s in possible_duplicates(first)} == {second, third}


def test_finding_duplicates_is_one_query(customer, django_assert_max_num_queries):
    build_all_keys()
    customer = type(customer).objects.prefetch_related("identities").get(pk=customer.pk)
    with django_assert_max_num_queries(1):
        possible_duplicates(customer)
