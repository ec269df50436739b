"""Field changes on a conversation, one at a time and all at once (`update_properties`)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goodwill.conversations.models import ContactReason, Conversation, CustomField
from goodwill.conversations.services import (
    assign_conversation,
    change_status,
    open_conversation,
    set_team,
    update_properties,
)
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(customer, support_team) -> Conversation:  # type: ignore[no-untyped-def]
    opened, _ = open_conversation(
        customer=customer, subject="Refund", channel="email", text="Hi", team=support_team
    )
    return opened


def _kinds(conversation: Conversation) -> list[str]:
    return list(
        Event.objects.filter(conversation=conversation)
        .exclude(kind=Event.Kind.CONVERSATION_OPENED)
        .values_list("kind", flat=True)
    )


def test_it_changes_every_property_given_with_one_event_each(conversation, agent, teammate):
    need = ContactReason.objects.create(name="Billing")
    CustomField.objects.create(key="order", label="Order", type=CustomField.Type.NUMBER)
    update_properties(
        conversation,
        {
            "subject": "Refund for order 12",
            "priority": Conversation.Priority.HIGH,
            "need": need.pk,
            "need_met": "partly",
            "tags": ["Billing", "refund"],
            "custom_fields": {"order": "12"},
            "assignee": teammate,
            "status": "pending",
        },
        by=agent,
    )
    conversation.refresh_from_db()
    assert conversation.subject == "Refund for order 12"
    assert conversation.priority == Conversation.Priority.HIGH
    assert (conversation.need, conversation.need_met) == (need, "partly")
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["billing", "refund"]
    assert conversation.custom_fields == {"order": 12}
    assert conversation.assignee == teammate
    assert conversation.status == "pending"  # status comes last: it wins over "assigning opens"
    assert sorted(_kinds(conversation)) == sorted(
        [
            Event.Kind.SUBJECT_CHANGED,
            Event.Kind.PRIORITY_CHANGED,
            Event.Kind.NEED_CHANGED,
            Event.Kind.NEED_MET_CHANGED,
            Event.Kind.TAGS_CHANGED,
            Event.Kind.FIELDS_CHANGED,
            Event.Kind.ASSIGNED,
            Event.Kind.STATUS_CHANGED,
        ]
    )


def test_a_form_sending_every_field_still_opens_a_new_conversation_it_assigns(conversation, agent, teammate):
    update_properties(conversation, {"status": "new", "assignee": teammate, "subject": "Refund"}, by=agent)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assignee) == ("open", teammate)


def test_unchanged_values_write_no_event(conversation, agent):
    update_properties(
        conversation,
        {"subject": "Refund", "priority": conversation.priority, "team": conversation.team},
        by=agent,
    )
    assert _kinds(conversation) == []


def test_it_changes_nothing_when_one_value_is_bad_and_names_each_bad_field(conversation, agent):
    with pytest.raises(ValidationError) as caught:
        update_properties(
            conversation,
            {"subject": "New subject", "priority": 99, "assignee": 123456, "status": "gone"},
            by=agent,
        )
    assert set(caught.value.message_dict) == {"priority", "assignee", "status"}
    assert caught.value.message_dict["assignee"] == ["No such agent."]
    assert conversation.subject == "Refund"  # the in-memory row is read back too
    conversation.refresh_from_db()
    assert conversation.subject == "Refund"
    assert _kinds(conversation) == []


def test_unknown_properties_and_nulls_are_refused(conversation, agent):
    with pytest.raises(ValidationError) as caught:
        update_properties(conversation, {"colour": "red", "subject": None}, by=agent)
    assert caught.value.message_dict == {"colour": ["Unknown property."], "subject": ["May not be null."]}


def test_a_light_agent_may_change_no_property(conversation, light_agent):
    with pytest.raises(PermissionDenied):
        update_properties(conversation, {"subject": "Mine now", "tags": ["x"]}, by=light_agent)
    conversation.refresh_from_db()
    assert conversation.subject == "Refund"


def test_the_system_may_change_properties(conversation):
    update_properties(conversation, {"status": "solved"}, by=None)
    conversation.refresh_from_db()
    assert conversation.status == "solved" and conversation.solved_at is not None


def test_assigning_opens_a_new_conversation(conversation, agent, teammate):
    assign_conversation(conversation, to=teammate, by=agent)
    conversation.refresh_from_db()
    assert conversation.status == "open"
    change_status(conversation, "solved", by=agent)
    set_team(conversation, None, by=agent)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.team) == ("solved", None)


# --- header-bound text (issue 10, item 7) -------------------------------------------

HOSTILE_SUBJECT = "Refund\r\nBcc: everyone@attacker.test\x00\tnow "


def test_a_subject_is_one_line_whatever_the_door(customer, conversation, agent):
    opened, _ = open_conversation(customer=customer, subject=HOSTILE_SUBJECT, channel="portal", text="Hi")
    assert opened.subject == "Refund Bcc: everyone@attacker.test now"
    update_properties(conversation, {"subject": HOSTILE_SUBJECT}, by=agent)
    conversation.refresh_from_db()
    assert conversation.subject == "Refund Bcc: everyone@attacker.test now"


def test_a_subject_is_capped_after_it_is_made_one_line(conversation, agent):
    update_properties(conversation, {"subject": "\n" + "x" * 400}, by=agent)
    conversation.refresh_from_db()
    assert conversation.subject == "x" * 300
    with pytest.raises(ValidationError):
        update_properties(conversation, {"subject": "\r\n\x00 "}, by=agent)


# --- restricted teams (issue 10, item 8) ------------------------------------------


def test_an_agent_cannot_move_a_conversation_into_a_restricted_team_they_are_not_in(
    conversation, agent, billing_team
):
    with pytest.raises(ValidationError) as caught:
        set_team(conversation, billing_team, by=agent)
    assert caught.value.message_dict == {"team": ["No such team."]}
    with pytest.raises(ValidationError):
        update_properties(conversation, {"team": billing_team.pk}, by=agent)
    conversation.refresh_from_db()
    assert conversation.team is not None and conversation.team.name == "Support"


def test_members_and_admins_may_move_a_conversation_into_a_restricted_team(
    conversation, outsider, admin, billing_team, support_team
):
    set_team(conversation, billing_team, by=admin)
    set_team(conversation, support_team, by=admin)
    update_properties(conversation, {"team": billing_team}, by=outsider)
    conversation.refresh_from_db()
    assert conversation.team == billing_team
