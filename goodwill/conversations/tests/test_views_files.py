"""A message's original and its attachments: downloads, previews, and who may fetch them."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from goodwill.conversations.models import Attachment, Conversation
from goodwill.conversations.services import (
    NewAttachment,
)
from goodwill.conversations.tests.factories import make_conversation

pytestmark = pytest.mark.django_db


def detail_url(conversation: Conversation) -> str:
    return reverse("conversations:detail", args=[conversation.number])


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
