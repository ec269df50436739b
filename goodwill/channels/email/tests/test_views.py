"""The quarantine pages: admins and the mailbox's team only; actions by POST; delete confirms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodwill.channels.email.intake import ingest_many
from goodwill.channels.email.models import Mailbox, Quarantine, RawEmail
from goodwill.conversations.models import Conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_entry(eml, billing_team) -> Quarantine:  # type: ignore[no-untyped-def]
    Mailbox.objects.create(name="Billing", address="billing@goodwill.test", team=billing_team)
    ingest_many([eml("no_from.eml", **{"support@goodwill.test": "billing@goodwill.test"})])
    return Quarantine.objects.get()


def test_admins_see_the_quarantine_with_reasons(client, admin, billing_entry):
    client.force_login(admin)
    page = client.get(reverse("email:quarantine"))
    assert page.status_code == 200
    assert "Who sent this?" in page.text and "No usable sender address" in page.text
    assert 'aria-label="Release email' in page.text


def test_agents_of_the_mailbox_team_see_its_entries(client, outsider, billing_entry):
    client.force_login(outsider)
    assert "Who sent this?" in client.get(reverse("email:quarantine")).text
    assert client.get(reverse("email:quarantine_detail", args=[billing_entry.pk])).status_code == 200


def test_other_agents_get_a_404_for_a_foreign_entry(client, agent, billing_entry):
    client.force_login(agent)
    assert "Who sent this?" not in client.get(reverse("email:quarantine")).text
    assert client.get(reverse("email:quarantine_detail", args=[billing_entry.pk])).status_code == 404
    assert client.post(reverse("email:quarantine_release", args=[billing_entry.pk])).status_code == 404
    assert Quarantine.objects.exists()


def test_light_agents_see_nothing(client, light_agent, billing_entry):
    client.force_login(light_agent)
    assert client.get(reverse("email:quarantine_raw", args=[billing_entry.pk])).status_code == 404


def test_the_raw_message_can_be_downloaded(client, admin, billing_entry, eml):
    client.force_login(admin)
    response = client.get(reverse("email:quarantine_raw", args=[billing_entry.pk]))
    assert response["Content-Type"] == "message/rfc822"
    assert b"".join(response.streaming_content) == eml(
        "no_from.eml", **{"support@goodwill.test": "billing@goodwill.test"}
    )


def test_release_imports_it_as_a_new_conversation(client, admin, billing_entry, billing_team):
    client.force_login(admin)
    response = client.post(reverse("email:quarantine_release", args=[billing_entry.pk]))
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("conversations:detail", args=[conversation.number])
    assert conversation.team == billing_team
    assert not Quarantine.objects.exists()


def test_retry_runs_the_pipeline_again(client, admin, billing_entry):
    client.force_login(admin)
    client.post(reverse("email:quarantine_retry", args=[billing_entry.pk]))
    # Still no sender: back in quarantine, with a fresh entry.
    assert Quarantine.objects.get().reason == "no_from"


def test_delete_asks_for_confirmation_first(client, admin, billing_entry):
    client.force_login(admin)
    confirm = client.get(reverse("email:quarantine_delete", args=[billing_entry.pk]))
    assert "Delete for good" in confirm.text
    assert Quarantine.objects.exists()
    client.post(reverse("email:quarantine_delete", args=[billing_entry.pk]))
    assert not Quarantine.objects.exists()
    assert RawEmail.objects.get().state == "deleted"


def test_mailbox_admin_encrypts_the_imap_password(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("admin:email_mailbox_add"),
        {
            "name": "Support",
            "address": "Support@Goodwill.test",
            "is_active": "on",
            "thread_by_reply_token": "on",
            "thread_by_subject_tag": "on",
            "max_messages_per_sender_per_hour": 120,
            "expected_response_time": "within a day",
            "imap_host": "imap.example.com",
            "imap_port": 993,
            "imap_ssl": "on",
            "imap_username": "support",
            "imap_password": "hunter2-secret",
            "imap_folder": "INBOX",
            "imap_move_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get()
    assert mailbox.address == "support@goodwill.test"
    assert "hunter2" not in mailbox.imap_password_encrypted
    assert mailbox.get_imap_password() == "hunter2-secret"


def test_an_agent_reads_the_new_text_and_downloads_the_original_eml(client, agent, eml):
    ingest_many([eml("plain.eml"), eml("reply_gmail.eml")])
    conversation = Conversation.objects.get()
    reply = conversation.messages.order_by("-id").first()
    assert reply.display_text == "It arrived this morning, thank you!"
    client.force_login(agent)
    response = client.get(reverse("conversations:raw", args=[conversation.number, reply.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == eml("reply_gmail.eml")
