from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from goodwill.accounts.models import Agent
from goodwill.channels.portal.tests.conftest import sign_in_as
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import (
    NewAttachment,
    add_note,
    add_reply,
    change_status,
    merge_conversations,
    open_conversation,
)
from goodwill.customers.models import Customer

pytestmark = pytest.mark.django_db


def opened(customer: Customer, subject: str = "Broken kettle", **kwargs) -> Conversation:  # type: ignore[no-untyped-def]
    conversation, _message = open_conversation(
        customer=customer, subject=subject, channel="email", text="It stopped working.", **kwargs
    )
    return conversation


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, customer: Customer) -> None:
    conversation = opened(customer)
    for path in (f"/portal/c/{conversation.number}/", "/portal/new/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/portal/"


def test_it_lists_only_the_customers_own_conversations_newest_first(
    portal_client: Client, customer: Customer, other_customer: Customer
) -> None:
    older = opened(customer, "Older question")
    newer = opened(customer, "Newer question")
    opened(other_customer, "Someone else's secret")
    body = portal_client.get("/portal/").content.decode()
    assert "Someone else&#x27;s secret" not in body and "Someone else's secret" not in body
    assert body.index("Newer question") < body.index("Older question")
    assert f"/portal/c/{newer.number}/" in body and f"/portal/c/{older.number}/" in body


def test_it_shows_statuses_in_customer_words(portal_client: Client, customer: Customer, agent: Agent) -> None:
    conversation = opened(customer)
    assert "Received" in portal_client.get("/portal/").content.decode()
    change_status(conversation, Conversation.Status.PENDING, by=agent)
    assert "Waiting for your reply" in portal_client.get("/portal/").content.decode()
    change_status(conversation, Conversation.Status.SOLVED, by=agent)
    assert "Solved" in portal_client.get(f"/portal/c/{conversation.number}/").content.decode()


def test_it_pages_long_lists(portal_client: Client, customer: Customer) -> None:
    for number in range(23):
        opened(customer, f"Question {number:02d}")
    first = portal_client.get("/portal/").content.decode()
    second = portal_client.get("/portal/?page=2").content.decode()
    assert "Question 22" in first and "Question 02" not in first
    assert "Question 02" in second and "Question 22" not in second
    assert 'rel="next"' in first


def test_a_customer_cannot_open_another_customers_conversation(
    portal_client: Client, other_customer: Customer
) -> None:
    foreign = opened(other_customer)
    assert portal_client.get(f"/portal/c/{foreign.number}/").status_code == 404
    response = portal_client.post(f"/portal/c/{foreign.number}/", {"text": "Let me in"})
    assert response.status_code == 404
    assert not foreign.messages.filter(text="Let me in").exists()


def test_a_merged_conversation_leads_to_its_target_when_both_are_the_customers(
    portal_client: Client, customer: Customer, agent: Agent
) -> None:
    source = opened(customer, "First try")
    target = opened(customer, "Second try")
    merge_conversations(source, into=target, by=agent)
    response = portal_client.get(f"/portal/c/{source.number}/")
    assert response.status_code == 302
    assert response["Location"] == f"/portal/c/{target.number}/"
    assert "First try" not in portal_client.get("/portal/").content.decode()


def test_a_conversation_merged_into_someone_elses_is_a_404(
    portal_client: Client, customer: Customer, other_customer: Customer, agent: Agent
) -> None:
    source = opened(customer, "Mine")
    target = opened(other_customer, "Theirs")
    merge_conversations(source, into=target, by=agent)
    assert portal_client.get(f"/portal/c/{source.number}/").status_code == 404
    assert portal_client.get(f"/portal/c/{target.number}/").status_code == 404


def test_notes_are_never_shown(portal_client: Client, customer: Customer, agent: Agent) -> None:
    conversation = opened(customer)
    add_note(conversation, by=agent, text="Internal: this customer is difficult")
    add_reply(conversation, by=agent, text="We are sending a new kettle.")
    body = portal_client.get(f"/portal/c/{conversation.number}/").content.decode()
    assert "We are sending a new kettle." in body
    assert "It stopped working." in body
    assert "this customer is difficult" not in body


def test_agent_html_is_shown_as_text(portal_client: Client, customer: Customer, agent: Agent) -> None:
    conversation = opened(customer)
    add_reply(conversation, by=agent, text="<b>bold</b> <script>alert(1)</script>")
    body = portal_client.get(f"/portal/c/{conversation.number}/").content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in body
    assert "<script>alert(1)</script>" not in body


def test_a_reply_lands_as_an_inbound_portal_message(portal_client: Client, customer: Customer, agent: Agent) -> None:
    conversation = opened(customer)
    change_status(conversation, Conversation.Status.SOLVED, by=agent)
    response = portal_client.post(f"/portal/c/{conversation.number}/", {"text": "Still broken, sorry."})
    assert response.status_code == 302
    message = conversation.messages.order_by("-id").first()
    assert message is not None
    assert message.text == "Still broken, sorry."
    assert message.direction == Message.Direction.INBOUND
    assert message.channel == Conversation.Channel.PORTAL
    assert message.author_customer == customer
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN
    assert "Still broken, sorry." in portal_client.get(response["Location"]).content.decode()


def test_an_empty_reply_is_refused(portal_client: Client, customer: Customer) -> None:
    conversation = opened(customer)
    response = portal_client.post(f"/portal/c/{conversation.number}/", {"text": "   "})
    assert response.status_code == 200
    assert "Please write a message or attach a file." in response.content.decode()
    assert conversation.messages.count() == 1


def test_a_new_request_opens_a_portal_conversation_with_attachments(
    portal_client: Client, customer: Customer
) -> None:
    upload = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    response = portal_client.post(
        "/portal/new/",
        {"subject": "Refund please", "text": "I returned the kettle.", "attachments": [upload]},
    )
    assert response.status_code == 302
    conversation = Conversation.objects.get(customer=customer, subject="Refund please")
    assert response["Location"] == f"/portal/c/{conversation.number}/"
    assert conversation.channel == Conversation.Channel.PORTAL
    message = conversation.messages.get()
    assert message.direction == Message.Direction.INBOUND
    assert message.channel == Conversation.Channel.PORTAL
    assert message.text == "I returned the kettle."
    assert [item.filename for item in message.attachments.all()] == ["receipt.pdf"]
    page = portal_client.get(response["Location"]).content.decode()
    assert "receipt.pdf" in page


def test_the_new_request_form_labels_every_control(portal_client: Client) -> None:
    body = portal_client.get("/portal/new/").content.decode()
    for control_id, label in (
        ("id_subject", "Subject"),
        ("id_text", "How can we help?"),
        ("id_attachments", "Attach files (optional)"),
    ):
        assert f'<label for="{control_id}">{label}</label>' in body
    assert "Send request" in body


def test_a_new_request_needs_a_subject_and_text(portal_client: Client, customer: Customer) -> None:
    response = portal_client.post("/portal/new/", {"subject": "", "text": ""})
    assert response.status_code == 200
    assert not Conversation.objects.filter(customer=customer).exists()


def test_a_customer_downloads_attachments_of_their_own_conversations_only(
    client: Client, customer: Customer, other_customer: Customer
) -> None:
    mine, mine_message = open_conversation(
        customer=customer,
        subject="Photo",
        channel="email",
        text="See photo",
        attachments=[NewAttachment("kettle.jpg", b"JPEGDATA", "image/jpeg")],
    )
    theirs, theirs_message = open_conversation(
        customer=other_customer,
        subject="Private",
        channel="email",
        text="Private file",
        attachments=[NewAttachment("secret.txt", b"SECRET", "text/plain")],
    )
    my_file = mine_message.attachments.get()
    their_file = theirs_message.attachments.get()
    sign_in_as(client, customer)
    response = client.get(f"/portal/c/{mine.number}/attachments/{my_file.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"JPEGDATA"
    assert "attachment" in response["Content-Disposition"]
    assert client.get(f"/portal/c/{theirs.number}/attachments/{their_file.pk}/").status_code == 404
    # Pairing my conversation with their file is a 404 too.
    assert client.get(f"/portal/c/{mine.number}/attachments/{their_file.pk}/").status_code == 404


def test_attachments_on_notes_cannot_be_downloaded(portal_client: Client, customer: Customer, agent: Agent) -> None:
    conversation = opened(customer)
    note = add_note(
        conversation, by=agent, text="Internal file", attachments=[NewAttachment("internal.txt", b"NOTE")]
    )
    item = note.attachments.get()
    assert portal_client.get(f"/portal/c/{conversation.number}/attachments/{item.pk}/").status_code == 404
    assert "internal.txt" not in portal_client.get(f"/portal/c/{conversation.number}/").content.decode()


def test_the_portal_page_fits_a_phone(portal_client: Client) -> None:
    body = portal_client.get("/portal/").content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert "goodwill/portal.css" in body


def test_times_are_shown_in_the_customers_time_zone(portal_client: Client, customer: Customer) -> None:
    from datetime import UTC, datetime

    from goodwill.customers.services import update_customer

    update_customer(customer, by=None, time_zone="Asia/Tokyo")
    conversation, _message = open_conversation(
        customer=customer, subject="Late night", channel="email", text="Hello", at=datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    )
    body = portal_client.get(f"/portal/c/{conversation.number}/").content.decode()
    assert "2 Mar 2026, 05:00" in body


def test_new_requests_are_rate_limited_per_customer(portal_client: Client, customer: Customer) -> None:
    from goodwill.channels.portal.services import REQUESTS_PER_CUSTOMER

    for number in range(REQUESTS_PER_CUSTOMER):
        response = portal_client.post("/portal/new/", {"subject": f"Ask {number}", "text": "Hello"})
        assert response.status_code == 302
    refused = portal_client.post("/portal/new/", {"subject": "One too many", "text": "Hello"})
    assert refused.status_code == 200
    assert "many requests in the last hour" in refused.content.decode()
    assert Conversation.objects.filter(customer=customer).count() == REQUESTS_PER_CUSTOMER


def test_the_portal_labels_each_message_with_its_real_author(
    portal_client: Client, customer: Customer, other_customer: Customer
) -> None:
    from goodwill.conversations.services import receive_message

    conversation = opened(customer)
    receive_message(conversation, customer=other_customer, channel="email", text="I am someone else.")
    page = portal_client.get(f"/portal/c/{conversation.number}/").content.decode()
    labels = re.findall(r'<p class="portal-meta">\s*(?:\{#.*?#\}\s*)?<strong>([^<]*)</strong>', page)
    assert labels == ["You", "Oscar Other"]
