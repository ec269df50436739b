import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    NewAttachment,
    add_note,
    add_reply,
    receive_message,
)
from goodwill.conversations.tests.factories import make_conversation
from goodwill.conversations.timeline import html_document

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
    assert _shapes(many) == _shapes(few)
    assert Message.objects.filter(conversation=conversation).count() == 21


def _shapes(captured: CaptureQueriesContext) -> list[str]:
    """Each query's first 60 characters; PostgreSQL's server-side cursors (a form's choices are read
    through one) carry a counter in their name, which says nothing about the page's cost."""
    return [re.sub(r"_django_curs_\d+_\w+_\d+", "_django_curs", q["sql"])[:60] for q in captured.captured_queries]
