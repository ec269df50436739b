"""Choosing interviewees by their organisation's value: above an amount, or the top N organisations."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goodwill.customers.models import Organisation
from goodwill.customers.services import create_customer
from goodwill.voice import interviews as service
from goodwill.voice.models import Campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms():  # type: ignore[no-untyped-def]
    made = {}
    for name, value in (("Big", "900000"), ("Mid", "50000"), ("Small", "1200"), ("Unknown", None)):
        org = Organisation.objects.create(name=name, value=Decimal(value) if value else None)
        made[name] = create_customer(name=f"{name} buyer", emails=[f"{name.lower()}@customer.test"])
        made[name].organisation = org
        made[name].save()
    create_customer(name="No firm", emails=["solo@customer.test"])
    return made


def names(**form: str) -> set[str]:
    return {c.name for c in service.select_customers(service.Selection.from_form(form))[0]}


def test_above_an_amount(firms):
    assert names(min_org_value="50000") == {"Big buyer", "Mid buyer"}
    assert names(min_org_value="1,000") == {"Big buyer", "Mid buyer", "Small buyer"}


def test_the_top_n_organisations(firms):
    assert names(top_organisations="1") == {"Big buyer"}
    assert names(top_organisations="2") == {"Big buyer", "Mid buyer"}
    assert names(top_organisations="10") == {"Big buyer", "Mid buyer", "Small buyer"}  # no value, not ranked


def test_combined_with_other_rules_and_bad_input_refused(firms):
    assert names(top_organisations="2", min_conversations="1") == set()  # nobody talked to us yet
    with pytest.raises(ValidationError):
        service.Selection.from_form({"min_org_value": "lots"})


def test_the_campaign_page_counts_by_organisation_value(client, admin, firms):
    campaign = Campaign.objects.create(name="Key accounts", created_by=admin)
    client.force_login(admin)
    page = client.post(
        f"/voice/interviews/{campaign.pk}/select/", {"action": "preview", "top_organisations": "2"}
    )
    assert "2 customers match, 2 not yet invited." in page.content.decode()
    client.post(f"/voice/interviews/{campaign.pk}/select/", {"action": "invite", "min_org_value": "900000"})
    assert list(campaign.invitations.values_list("email", flat=True)) == ["big@customer.test"]


def test_the_organisation_page_shows_its_value(client, agent, firms):
    client.force_login(agent)
    org = Organisation.objects.get(name="Mid")
    assert "Value 50000.00" in client.get(f"/memory/organisations/{org.pk}/").content.decode()
