"""Each condition field reads what the conversation has; bad rows are refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from goodwill.automation.conditions import Facts, check, evaluate, within_hours
from goodwill.automation.models import Rule
from goodwill.conversations.models import ContactReason, CustomField
from goodwill.conversations.services import set_custom_fields, set_need, set_tags
from goodwill.customers.models import Organisation

pytestmark = pytest.mark.django_db


def matches(conversation, field, op, value="", *, rule=None, now=None):  # type: ignore[no-untyped-def]
    rule = rule or Rule(name="t")
    facts = Facts(conversation, rule) if now is None else Facts(conversation, rule, now=now)
    return evaluate({"field": field, "op": op, "value": value}, facts).matched


def test_fields_of_the_conversation_and_its_customer(opened, customer, agent):
    CustomField.objects.create(key="plan", label="Plan")
    need = ContactReason.objects.create(name="Delivery")
    customer.organisation = Organisation.objects.create(name="Acme Ltd")
    customer.language = "de"
    customer.save()
    conversation = opened(subject="Parcel late", text="Where is the parcel?")
    set_tags(conversation, ["vip", "order"], by=agent)
    set_need(conversation, need, by=agent)
    set_custom_fields(conversation, {"plan": "gold"}, by=agent)
    conversation.refresh_from_db()
    assert matches(conversation, "channel", "is", "email") and matches(
        conversation, "channel", "is_not", "portal"
    )
    assert matches(conversation, "need", "is", "delivery") and not matches(conversation, "need", "is_not_set")
    assert matches(conversation, "tags", "contains", "VIP") and matches(
        conversation, "tags", "not_contains", "spam"
    )
    assert matches(conversation, "custom_field", "is", "plan=gold") and matches(
        conversation, "custom_field", "is_not", "plan=silver"
    )
    assert matches(conversation, "organisation", "contains", "acme") and matches(
        conversation, "customer_language", "is", "de"
    )
    assert matches(conversation, "customer_email", "contains", "@customer.test")
    assert matches(conversation, "subject", "contains", "late") and matches(
        conversation, "text", "contains", "nothing | parcel"
    )
    assert matches(conversation, "status", "is", "new") and matches(
        conversation, "priority", "less_than", "3"
    )
    assert matches(conversation, "assignee", "is_not_set") and matches(conversation, "team", "is_not_set")
    assert matches(conversation, "mailbox", "is_not_set")
    later = timezone.now() + timedelta(hours=3)
    assert matches(conversation, "hours_since_created", "more_than", "2", now=later)
    assert not matches(conversation, "hours_since_created", "more_than", "4", now=later)


def test_mood_from_listening(opened, django_capture_on_commit_callbacks):
    from goodwill.listening.services import score_message

    conversation = opened(text="This is the THIRD time I'm writing. Nobody answers. I'm furious!")
    score_message(conversation.messages.get())
    assert matches(conversation, "sentiment", "less_than", "-0.3")
    assert matches(conversation, "mood", "is_set")


def test_business_hours_use_the_rules_weekly_window():
    rule = Rule(
        name="Office",
        hours_days=[0, 1, 2, 3, 4],
        hours_start=time(9),
        hours_end=time(17),
        hours_zone="Europe/Berlin",
    )
    monday_ten_berlin = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    saturday = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)
    monday_evening = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 18:00 in Berlin
    assert within_hours(rule, monday_ten_berlin)
    assert not within_hours(rule, saturday) and not within_hours(rule, monday_evening)
    assert within_hours(Rule(name="No window"), saturday)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"field": "colour", "op": "is", "value": "red"}, "Unknown condition field"),
        ({"field": "tags", "op": "is", "value": "x"}, "choose one of"),
        ({"field": "priority", "op": "is", "value": "high"}, "not a number"),
        ({"field": "custom_field", "op": "is", "value": "plan"}, "key=value"),
        ({"field": "subject", "op": "contains", "value": ""}, "a value is needed"),
    ],
)
def test_bad_rows_are_refused_with_a_reason(row, message):
    with pytest.raises(ValidationError, match=message):
        check(row)


def test_mailbox_is_the_address_the_latest_email_came_in_on(opened):
    from goodwill.channels.email.models import EmailDetails, Mailbox

    conversation = opened()
    mailbox = Mailbox.objects.create(name="Billing", address="billing@goodwill.test")
    EmailDetails.objects.create(message=conversation.messages.get(), mailbox=mailbox)
    assert matches(conversation, "mailbox", "is", "billing@goodwill.test")
    assert not matches(conversation, "mailbox", "is", "support@goodwill.test")
