from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.customers.models import Customer
from goodwill.memory.duplicates import possible_duplicates
from goodwill.memory.models import Fact
from goodwill.memory.selectors import greeting_hint

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_regular_customer_with_a_long_memory_and_a_duplicate():
    call_command("seed_demo", conversations=600, seed=3, now="2026-03-01T00:00:00+00:00", stdout=StringIO())
    busiest = Conversation.objects.values("customer_id").annotate(n=Count("id")).order_by("-n").first()
    regular = Customer.objects.prefetch_related("identities").get(pk=busiest["customer_id"])
    assert busiest["n"] >= 20
    assert Fact.objects.filter(customer=regular).count() >= 2 * busiest["n"]
    assert Fact.objects.exclude(customer=regular).exists()
    assert any("Same email address" in s.reason for s in possible_duplicates(regular))
    agent = Agent.objects.get(email="agent@example.com")
    hint = greeting_hint(agent, regular, today=date(2026, 3, 1))
    assert hint.name and hint.reminders
