"""The properties panel: edits through services, and edits that meet someone else's change."""

import re

import pytest
from django.urls import reverse

from goodwill.conversations.models import ContactReason, Conversation, CustomField
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


def detail_url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


def test_the_properties_fragment_refreshes_when_someone_else_changes_them(client, agent, teammate):
    from goodwill.conversations.services import set_priority

    conversation = make_conversation()
    client.force_login(agent)
    set_priority(conversation, Conversation.Priority.URGENT, by=teammate)
    response = client.get(detail_url(conversation), {"partial": "properties"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="properties"')
    assert '<option value="4" selected>' in body


def test_properties_change_inline_through_services(client, agent, teammate, support_team):
    need = ContactReason.objects.create(name="Refund")
    CustomField.objects.create(key="order", label="Order number", type=CustomField.Type.NUMBER)
    conversation = make_conversation()
    client.force_login(agent)
    response = client.post(
        reverse("conversations:properties", args=[conversation.number]),
        {
            "status": "pending",
            "priority": "3",
            "assignee": teammate.email,
            "team": support_team.pk,
            "need": need.pk,
            "need_met": "yes",
            "tags": "refund, VIP",
            "cf_order": "1234",
        },
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.PENDING
    assert conversation.priority == Conversation.Priority.HIGH
    assert conversation.assignee == teammate
    assert conversation.team == support_team
    assert conversation.need == need
    assert conversation.need_met == "yes"
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["refund", "vip"]
    assert conversation.custom_fields == {"order": 1234}
    kinds = set(Event.objects.filter(conversation=conversation).values_list("kind", flat=True))
    assert {
        Event.Kind.STATUS_CHANGED,
        Event.Kind.ASSIGNED,
        Event.Kind.TAGS_CHANGED,
        Event.Kind.FIELDS_CHANGED,
    } <= kinds


def test_htmx_property_changes_return_the_panel(client, agent):
    conversation = make_conversation()
    client.force_login(agent)
    response = client.post(
        reverse("conversations:properties", args=[conversation.number]),
        {"priority": "4"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="properties"')
    assert response["HX-Trigger"] == "goodwill:new-message"


def test_a_bad_custom_field_value_changes_nothing(client, agent):
    CustomField.objects.create(key="order", label="Order number", type=CustomField.Type.NUMBER)
    conversation = make_conversation()
    client.force_login(agent)
    response = client.post(
        reverse("conversations:properties", args=[conversation.number]),
        {"priority": "4", "cf_order": "abc"},
        headers={"HX-Request": "true"},
    )
    assert "Not saved" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.NORMAL


def test_light_agents_cannot_change_properties(client, light_agent):
    conversation = make_conversation()
    client.force_login(light_agent)
    response = client.post(
        reverse("conversations:properties", args=[conversation.number]), {"status": "solved"}
    )
    assert response.status_code == 403
    body = client.get(detail_url(conversation)).content.decode()
    assert "properties-form" not in body


def properties_url(conversation: Conversation) -> str:
    return reverse("conversations:properties", args=[conversation.number])


def shown_form(client, conversation: Conversation) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What the panel's form would post back unchanged: every field and its original."""
    body = client.get(
        detail_url(conversation), {"partial": "properties"}, headers={"HX-Request": "true"}
    ).content.decode()
    originals = dict(re.findall(r'<input type="hidden" name="original_(\w+)" value="([^"]*)">', body))
    return {**originals, **{f"original_{name}": value for name, value in originals.items()}}


def test_a_change_someone_else_made_meanwhile_is_shown_not_overwritten(client, agent, teammate):
    from goodwill.conversations.services import change_status

    conversation = make_conversation()
    client.force_login(agent)
    form = shown_form(client, conversation)
    change_status(conversation, Conversation.Status.PENDING, by=teammate)

    response = client.post(
        properties_url(conversation),
        {**form, "status": "solved", "priority": "4"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Status: Tess Teammate changed it to “Pending” meanwhile; yours was not saved." in body
    assert '<option value="pending" selected>' in body
    assert '<input type="hidden" name="original_status" value="pending">' in body
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.PENDING
    # The other field this agent changed did not meet anyone's change: it is saved.
    assert conversation.priority == Conversation.Priority.URGENT


def test_a_panel_showing_old_values_never_puts_them_back(client, agent, teammate):
    conversation = make_conversation()
    client.force_login(agent)
    form = shown_form(client, conversation)
    from goodwill.conversations.services import assign_conversation

    assign_conversation(conversation, to=teammate, by=teammate)

    # Every field is posted (as a browser without scripts does); only the priority was changed here.
    response = client.post(properties_url(conversation), {**form, "priority": "3"})

    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee == teammate
    assert conversation.priority == Conversation.Priority.HIGH


def test_the_same_change_made_by_two_agents_is_no_conflict(client, agent, teammate):
    from goodwill.conversations.services import change_status

    conversation = make_conversation()
    client.force_login(agent)
    form = shown_form(client, conversation)
    change_status(conversation, Conversation.Status.SOLVED, by=teammate)

    response = client.post(
        properties_url(conversation), {**form, "status": "solved"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "meanwhile" not in response.content.decode()
    assert Event.objects.filter(conversation=conversation, kind=Event.Kind.STATUS_CHANGED).count() == 1


def test_a_changed_field_the_agent_left_alone_is_not_a_conflict(client, agent, teammate):
    from goodwill.conversations.services import set_priority

    conversation = make_conversation()
    client.force_login(agent)
    form = shown_form(client, conversation)
    set_priority(conversation, Conversation.Priority.URGENT, by=teammate)

    response = client.post(
        properties_url(conversation), {**form, "tags": "lid"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.URGENT
    assert list(conversation.tags.values_list("name", flat=True)) == ["lid"]


def test_the_form_cannot_move_a_conversation_into_a_restricted_team_the_agent_is_not_in(
    client, agent, billing_team
):
    """Issue 10, item 8: the web form asks the same rule as the API (it did not before)."""
    conversation = make_conversation()
    client.force_login(agent)
    form = shown_form(client, conversation)
    response = client.post(
        properties_url(conversation), {**form, "team": str(billing_team.pk)}, headers={"HX-Request": "true"}
    )
    conversation.refresh_from_db()
    assert conversation.team_id != billing_team.pk
    assert "No such team" in response.content.decode() or "valid choice" in response.content.decode()
    assert not Event.objects.filter(conversation=conversation, kind=Event.Kind.TEAM_CHANGED).exists()
