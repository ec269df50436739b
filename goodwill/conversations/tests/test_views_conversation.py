import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goodwill.conversations.models import Attachment, ContactReason, Conversation, CustomField, Message
from goodwill.conversations.services import (
    NewAttachment,
    add_note,
    add_reply,
    receive_message,
)
from goodwill.conversations.tests.factories import make_conversation
from goodwill.conversations.timeline import html_document
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


def detail_url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


def test_the_page_shows_new_text_first_and_history_collapsed(client, agent, customer):
    conversation = make_conversation(customer=customer)
    receive_message(
        conversation,
        customer=customer,
        text="Still nothing arrived.\n\nOn Monday Sam wrote:\n> We shipped it.",
        new_text="Still nothing arrived.",
    )
    client.force_login(agent)
    response = client.get(detail_url(conversation))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Still nothing arrived." in body
    assert "<summary>Show quoted history</summary>" in body
    assert body.index("Still nothing arrived.") < body.index("Show quoted history")
    assert 'id="timeline"' in body
    assert 'hx-trigger="goodwill:new-message from:body"' in body
    assert 'id="composer-form"' in body
    assert 'id="composer-text"' in body


def test_a_conversation_of_another_restricted_team_is_not_found(client, agent, billing_team):
    hidden = make_conversation(team=billing_team)
    client.force_login(agent)
    assert client.get(detail_url(hidden)).status_code == 404
    assert (
        client.post(
            reverse("conversations:send", args=[hidden.number]), {"kind": "note", "text": "x"}
        ).status_code
        == 404
    )
    assert hidden.messages.count() == 1


def test_an_admin_sees_every_team(client, admin, billing_team):
    hidden = make_conversation(team=billing_team)
    client.force_login(admin)
    assert client.get(detail_url(hidden)).status_code == 200


def test_the_timeline_fragment_is_served_to_htmx(client, agent, customer):
    conversation = make_conversation(customer=customer, text="First words")
    client.force_login(agent)
    response = client.get(detail_url(conversation), {"partial": "timeline"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="timeline"')
    assert "First words" in body
    assert "composer-form" not in body
    assert "HX-Request" in response["Vary"]


def test_the_properties_fragment_refreshes_when_someone_else_changes_them(client, agent, teammate):
    from goodwill.conversations.services import set_priority

    conversation = make_conversation()
    client.force_login(agent)
    set_priority(conversation, Conversation.Priority.URGENT, by=teammate)
    response = client.get(detail_url(conversation), {"partial": "properties"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="properties"')
    assert '<option value="4" selected>' in body


def test_notes_phone_calls_and_events_share_the_timeline(client, agent, customer):
    conversation = make_conversation(customer=customer, channel=Conversation.Channel.PHONE)
    add_note(conversation, by=agent, text="Checked the warehouse")
    client.force_login(agent)
    client.post(reverse("conversations:properties", args=[conversation.number]), {"priority": "4"})
    body = client.get(detail_url(conversation)).content.decode()
    assert "Internal note" in body
    assert "Checked the warehouse" in body
    assert "changed the priority from Normal to Urgent" in body


def test_html_is_shown_sandboxed_with_remote_images_blocked(client, agent, customer):
    conversation = make_conversation(customer=customer)
    receive_message(
        conversation,
        customer=customer,
        text="See picture",
        html='<p>Hi</p><img src="https://tracker.example/p.gif">',
    )
    client.force_login(agent)
    body = client.get(detail_url(conversation)).content.decode()
    assert "<iframe" in body and "sandbox" in body
    assert "img-src data:" in body
    assert "img-src data: https:" not in body
    assert "Load remote images" in body
    message = conversation.messages.exclude(html="").get()
    loaded = client.get(detail_url(conversation), {"images": message.pk}).content.decode()
    assert "img-src data: https: http:" in loaded


def test_html_document_blocks_everything_but_inline_styles_by_default():
    document = html_document("<b>x</b>", load_images=False)
    assert "default-src 'none'" in document
    assert "https:" not in document
    assert "img-src data: https: http:" in html_document("<b>x</b>", load_images=True)


def test_the_raw_original_downloads_as_rfc822(client, agent, customer):
    name = default_storage.save("raw/test.eml", ContentFile(b"From: a@b\r\nSubject: hi\r\n\r\nbody"))
    conversation = make_conversation(customer=customer, raw_path=name)
    message = conversation.messages.get()
    client.force_login(agent)
    response = client.get(reverse("conversations:raw", args=[conversation.number, message.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert b"".join(response.streaming_content).startswith(b"From: a@b")


def test_raw_download_is_not_found_for_other_teams_or_other_conversations(
    client, agent, billing_team, customer
):
    name = default_storage.save("raw/secret.eml", ContentFile(b"secret"))
    hidden = make_conversation(team=billing_team, raw_path=name)
    mine = make_conversation(customer=customer)
    message = hidden.messages.get()
    client.force_login(agent)
    assert client.get(reverse("conversations:raw", args=[hidden.number, message.pk])).status_code == 404
    assert client.get(reverse("conversations:raw", args=[mine.number, message.pk])).status_code == 404


def test_attachments_preview_images_and_pdfs(client, agent, customer):
    conversation = make_conversation(
        customer=customer,
        attachments=[
            NewAttachment("photo.png", b"\x89PNG\r\n\x1a\nfake", "image/png"),
            NewAttachment("invoice.pdf", b"%PDF-1.4 fake", "application/pdf"),
            NewAttachment("script.html", b"<script>alert(1)</script>", "text/html"),
        ],
    )
    client.force_login(agent)
    body = client.get(detail_url(conversation)).content.decode()
    photo, invoice, script = Attachment.objects.order_by("id")
    photo_url = reverse("conversations:attachment", args=[conversation.number, photo.pk])
    assert f'<img src="{photo_url}?inline=1" alt="photo.png"' in body
    assert "Preview invoice.pdf" in body
    inline = client.get(photo_url, {"inline": "1"})
    assert inline["Content-Type"] == "image/png"
    assert "inline" in inline["Content-Disposition"]
    pdf = client.get(
        reverse("conversations:attachment", args=[conversation.number, invoice.pk]), {"inline": "1"}
    )
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    # Anything that could run script is only ever a download.
    risky = client.get(
        reverse("conversations:attachment", args=[conversation.number, script.pk]), {"inline": "1"}
    )
    assert risky["Content-Type"] == "application/octet-stream"
    assert "attachment" in risky["Content-Disposition"]


def test_attachments_of_hidden_conversations_are_not_found(client, agent, billing_team):
    hidden = make_conversation(
        team=billing_team, attachments=[NewAttachment("a.txt", b"secret", "text/plain")]
    )
    attachment = Attachment.objects.get(message__conversation=hidden)
    client.force_login(agent)
    url = reverse("conversations:attachment", args=[hidden.number, attachment.pk])
    assert client.get(url).status_code == 404


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


def test_merge_moves_messages_and_points_the_old_one_at_the_new(client, agent, customer):
    source = make_conversation(customer=customer, text="Old words")
    target = make_conversation(customer=customer)
    client.force_login(agent)
    response = client.post(reverse("conversations:merge", args=[source.number]), {"into": target.number})
    assert response["Location"] == detail_url(target)
    source.refresh_from_db()
    assert source.merged_into == target
    assert "Old words" in client.get(detail_url(target)).content.decode()


def test_merge_into_a_hidden_conversation_is_not_found(client, agent, billing_team):
    source = make_conversation()
    hidden = make_conversation(team=billing_team)
    client.force_login(agent)
    response = client.post(reverse("conversations:merge", args=[source.number]), {"into": hidden.number})
    assert response.status_code == 404
    source.refresh_from_db()
    assert source.merged_into is None


def test_split_moves_a_message_into_a_new_conversation(client, agent, customer):
    conversation = make_conversation(customer=customer)
    other = receive_message(conversation, customer=customer, text="A different question")
    client.force_login(agent)
    response = client.post(reverse("conversations:split", args=[conversation.number, other.pk]))
    other.refresh_from_db()
    assert other.conversation != conversation
    assert response["Location"] == detail_url(other.conversation)


def test_the_customer_sidebar_lists_previous_conversations(client, agent, customer, billing_team):
    earlier = make_conversation(customer=customer, subject="Earlier question")
    make_conversation(customer=customer, subject="Billing-only question", team=billing_team)
    current = make_conversation(customer=customer, subject="Current question")
    client.force_login(agent)
    body = client.get(detail_url(current)).content.decode()
    assert "carla@customer.test" in body
    assert f"#{earlier.number} Earlier question" in body
    assert "Billing-only question" not in body


def test_times_are_shown_in_the_agents_time_zone(client, agent, customer):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    agent.time_zone = "Asia/Tokyo"
    agent.save(update_fields=["time_zone"])
    conversation = make_conversation(
        customer=customer, at=datetime(2025, 3, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    )
    client.force_login(agent)
    body = client.get(detail_url(conversation)).content.decode()
    assert "1 Mar 2025, 21:00 JST" in body


def test_the_page_needs_the_same_queries_for_long_conversations(client, agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    client.get(detail_url(conversation))  # fill the cached fragments first
    with CaptureQueriesContext(connection) as few:
        client.get(detail_url(conversation))
    for index in range(10):
        receive_message(
            conversation,
            customer=customer,
            text=f"Message {index}",
            attachments=[NewAttachment(f"f{index}.png", b"png", "image/png")],
        )
        add_reply(conversation, by=agent, text=f"Answer {index}")
    with CaptureQueriesContext(connection) as many:
        client.get(detail_url(conversation))
    assert [q["sql"][:60] for q in many.captured_queries] == [q["sql"][:60] for q in few.captured_queries]
    assert Message.objects.filter(conversation=conversation).count() == 21
