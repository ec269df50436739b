"""open_case: one case per failure, however often it is asked for."""

from __future__ import annotations

import pytest

from goodwill.core.models import Event
from goodwill.customers.models import Customer
from goodwill.recovery.models import RecoveryCase
from goodwill.recovery.services import open_case

pytestmark = pytest.mark.django_db


def test_the_same_failure_opens_one_case_and_announces_it_once() -> None:
    customer = Customer.objects.create(name="Ada Lovelace")
    first, opened = open_case(
        customer, trigger=RecoveryCase.Trigger.MANUAL, source_key="manual:1", reason="Lost parcel"
    )
    again, opened_again = open_case(
        customer, trigger=RecoveryCase.Trigger.MANUAL, source_key="manual:1", reason="Other"
    )
    assert opened and not opened_again
    assert again.pk == first.pk and again.reason == "Lost parcel"
    assert RecoveryCase.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.RECOVERY_OPENED, subject_id=str(first.pk)).count() == 1
