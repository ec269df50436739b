"""The inbound pipeline on a real database: nothing lost, nothing doubled, threads kept apart."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goodwill.channels.email.intake import (
    delete_quarantined,
    ingest_many,
    release_quarantined,
    retry_quarantined,
)
from goodwill.channels.email.models import (
    Acknowledgement,
    EmailDetails,
    Mailbox,
    MessageKey,
    Quarantine,
    RawEmail,
)
from goodwill.channels.email.threads import reply_address, reply_token
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import add_reply
from goodwill.customers.models import Customer, Identity

pytestmark = pytest.mark.django_db


def mail(
    *,
    sender="dana@example.org",
    subject="Help",
    body="Hello there",
    msgid="m1@example.org",
    extra="",
    to="support@goodwill.test",
) -> bytes:
    head = f"From: Dana <{sender}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
    if msgid:
        head += f"Message-ID: <{msgid}>\r\n"
    return (head + extra + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


def test_it_opens_a_conversation_for_a_new_sender_and_makes_them_a_customer(eml):
    summary = ingest_many([eml("plain.eml")])
    assert summary.as_dict() == {
        "received": 1,
        "conversations_created": 1,
        "messages_appended": 0,
        "duplicates": 0,
        "quarantined": 0,
        "failed": 0,
    }
    conversation = Conversation.objects.get()
    assert conversation.subject == "My order has not arrived"
    assert conversation.channel == "email"
    assert conversation.customer.name == "Dana Doe"
    assert Customer.objects.with_email("dana@example.org").get() == conversation.customer
    message = conversation.messages.get()
    assert message.email.message_id_header == "plain-1@example.org"
    assert default_storage.open(message.raw_path).read() == eml("plain.eml")


def test_it_stores_the_same_message_once_even_when_the_bytes_differ(eml):
    first = eml("plain.eml")
    second = b"Delivered-To: billing@goodwill.test\r\n" + first  # the Cc copy to another of our addresses
    summary = ingest_many([first, second, first])
    assert (summary.conversations_created, summary.duplicates) == (1, 2)
    assert Message.objects.count() == 1
    assert RawEmail.objects.filter(state="duplicate").count() == 1


def test_it_falls_back_to_the_hash_of_the_bytes_without_a_message_id():
    summary = ingest_many([mail(msgid=""), mail(msgid="")])
    assert (summary.conversations_created, summary.duplicates) == (1, 1)
    assert MessageKey.objects.get().key.startswith("raw:")


def test_it_threads_replies_by_in_reply_to(eml):
    ingest_many([eml("plain.eml")])
    summary = ingest_many([eml("reply_gmail.eml"), eml("reply_outlook.eml"), eml("reply_apple.eml")])
    assert summary.messages_appended == 3
    conversation = Conversation.objects.get()
    assert conversation.message_count == 4
    newest = conversation.messages.order_by("-id").first()
    assert newest.new_text == "Merci, le colis est bien arrivé."


def test_it_threads_a_reply_to_our_outbound_message_by_references(customer, agent):
    ingest_many([mail(sender="carla@customer.test", msgid="first@customer.test")])
    conversation = Conversation.objects.get()
    reply = add_reply(conversation, by=agent, text="We are on it.")
    from goodwill.channels.email.outbound import send_reply

    send_reply(reply.pk)
    ours = EmailDetails.objects.get(message=reply).message_id_header
    assert reply_token(conversation.number) in ours
    answer = mail(
        sender="carla@customer.test",
        msgid="second@customer.test",
        subject="Re: whatever",
        extra=f"References: <unknown@elsewhere> <{ours}>\r\n",
    )
    assert ingest_many([answer]).messages_appended == 1


def test_it_threads_by_the_reply_token_in_the_recipient_address(customer):
    ingest_many([mail(sender="carla@customer.test", msgid="a@customer.test")])
    conversation = Conversation.objects.get()
    to = reply_address("support@goodwill.test", conversation.number)
    summary = ingest_many([mail(sender="someone.new@example.com", msgid="b@x", subject="Other", to=to)])
    assert summary.messages_appended == 1


def test_a_forged_reply_token_does_not_thread(customer):
    ingest_many([mail(sender="carla@customer.test", msgid="a@customer.test")])
    number = Conversation.objects.get().number
    summary = ingest_many([mail(msgid="b@x", to=f"support+gw-{number}-0000000000@goodwill.test")])
    assert summary.conversations_created == 1


def test_a_subject_tag_threads_only_for_participants(customer):
    ingest_many([mail(sender="carla@customer.test", msgid="a@customer.test")])
    number = Conversation.objects.get().number
    stranger = ingest_many([mail(sender="mallory@evil.test", msgid="b@evil", subject=f"Re: [#{number}] hi")])
    participant = ingest_many(
        [mail(sender="carla@customer.test", msgid="c@customer.test", subject=f"Re: [#{number}] more")]
    )
    assert stranger.conversations_created == 1
    assert participant.messages_appended == 1
    assert Conversation.objects.get(number=number).message_count == 2


def test_subject_tag_threading_can_be_switched_off_per_mailbox(customer):
    Mailbox.objects.create(name="Support", address="support@goodwill.test", thread_by_subject_tag=False)
    ingest_many([mail(sender="carla@customer.test", msgid="a@customer.test")])
    number = Conversation.objects.get().number
    summary = ingest_many([mail(sender="carla@customer.test", msgid="c@x", subject=f"Re: [#{number}] more")])
    assert summary.conversations_created == 1


def test_the_same_subject_alone_never_joins_an_old_conversation():
    ingest_many([mail(msgid="a@x", subject="Invoice")])
    assert ingest_many([mail(msgid="b@x", subject="Invoice")]).conversations_created == 1


def test_mail_to_a_mailbox_lands_in_its_team(support_team):
    Mailbox.objects.create(name="Support", address="Support@Goodwill.test", team=support_team)
    ingest_many([mail(to="support+anything@goodwill.test")])
    assert Conversation.objects.get().team == support_team


@pytest.mark.parametrize(("name", "reason"), [("no_from.eml", "no_from"), ("garbage.eml", "garbage")])
def test_unreadable_mail_is_quarantined_with_its_reason(eml, name, reason):
    summary = ingest_many([eml(name)])
    assert summary.quarantined == 1 and summary.failed == 0
    entry = Quarantine.objects.get()
    assert entry.reason == reason
    assert default_storage.open(entry.raw.path).read() == eml(name)


def test_oversized_mail_is_quarantined(eml, settings):
    settings.GOODWILL_EMAIL_MAX_BYTES = 100
    assert ingest_many([eml("plain.eml")]).quarantined == 1
    assert Quarantine.objects.get().reason == "oversized"


def test_a_quarantined_message_can_be_retried_after_the_limit_is_raised(eml, settings, admin):
    settings.GOODWILL_EMAIL_MAX_BYTES = 100
    ingest_many([eml("plain.eml")])
    settings.GOODWILL_EMAIL_MAX_BYTES = 10_000_000
    outcome = retry_quarantined(Quarantine.objects.get(), by=admin)
    assert outcome.state == "created"
    assert not Quarantine.objects.exists()
    assert Conversation.objects.count() == 1


def test_releasing_mail_without_a_sender_salvages_it_into_a_conversation(eml, admin):
    ingest_many([eml("no_from.eml")])
    outcome = release_quarantined(Quarantine.objects.get(), by=admin)
    assert outcome.state == "created"
    assert "There is no From header." in outcome.message.text
    assert outcome.conversation.subject == "Who sent this?"
    assert not Quarantine.objects.exists()


def test_deleting_from_quarantine_keeps_the_identity_so_it_is_not_imported_again(eml, admin):
    ingest_many([eml("garbage.eml")])
    delete_quarantined(Quarantine.objects.get(), by=admin)
    assert not Quarantine.objects.exists()
    assert ingest_many([eml("garbage.eml")]).duplicates == 1


def test_a_deleted_conversation_leaves_a_tombstone(eml):
    ingest_many([eml("plain.eml")])
    Conversation.objects.get().delete()
    assert MessageKey.objects.get().message is None
    assert ingest_many([b"X-Refetched: 1\r\n" + eml("plain.eml")]).duplicates == 1
    assert not Conversation.objects.exists()


def test_a_bounce_marks_the_address_failing_and_is_noted_on_the_conversation(eml, agent):
    ingest_many([eml("plain.eml")])
    conversation = Conversation.objects.get()
    reply = add_reply(conversation, by=agent, text="We are checking.")
    from goodwill.channels.email.outbound import send_reply

    send_reply(reply.pk)
    ours = EmailDetails.objects.get(message=reply).message_id_header
    summary = ingest_many([eml("bounce_dsn.eml", __ORIGINAL__=ours)])
    assert summary.messages_appended == 1
    reply.refresh_from_db()
    assert reply.delivery == "bounced" and "User unknown" in reply.delivery_error
    assert Identity.objects.get(value="dana@example.org").failing_since is not None
    note = conversation.messages.order_by("-id").first()
    assert note.direction == "internal" and "bounced" in note.text
    conversation.refresh_from_db()
    assert conversation.status == "open"  # a bounce does not reopen or count as the customer writing


def test_a_bounce_we_cannot_link_is_quarantined(eml):
    summary = ingest_many([eml("bounce_dsn.eml", __ORIGINAL__="not-ours@elsewhere")])
    assert summary.quarantined == 1
    assert Quarantine.objects.get().reason == "bounce"


def test_new_conversations_are_acknowledged_once_but_robots_never(eml):
    Mailbox.objects.create(name="Support", address="support@goodwill.test", auto_acknowledge=True)
    ingest_many([eml("plain.eml"), eml("auto_reply.eml"), eml("bulk_list.eml")])
    assert list(Acknowledgement.objects.values_list("address", flat=True)) == ["dana@example.org"]
    ingest_many([mail(msgid="another@example.org", subject="Second question")])
    assert Acknowledgement.objects.count() == 1  # quiet period per address stops ping-pong


def test_a_sender_over_the_rate_limit_is_quarantined_as_a_loop():
    Mailbox.objects.create(
        name="Support", address="support@goodwill.test", max_messages_per_sender_per_hour=3
    )
    summary = ingest_many([mail(msgid=f"{i}@loop") for i in range(5)])
    assert (summary.conversations_created, summary.quarantined) == (3, 2)
    assert set(Quarantine.objects.values_list("reason", flat=True)) == {"loop"}


def test_mail_from_our_own_address_is_quarantined_as_a_loop():
    Mailbox.objects.create(name="Support", address="support@goodwill.test")
    assert ingest_many([mail(sender="support@goodwill.test")]).quarantined == 1


def test_attachments_and_inline_images_are_stored(eml):
    ingest_many([eml("inline_image.eml"), eml("attachment_rfc2231.eml")])
    inline = Message.objects.get(email__message_id_header="inline-1@example.com").attachments.get()
    assert inline.is_inline and inline.content_id == "shot@ines"
    files = Message.objects.get(email__message_id_header="rfc2231-1@example.com").attachments
    assert sorted(files.values_list("filename", flat=True)) == ["Verträge übersicht.pdf", "meeting.ics"]


def test_html_is_sanitised_when_stored(eml):
    ingest_many([eml("html_only.eml")])
    message = Message.objects.get()
    assert "<script" not in message.html and "onclick" not in message.html
    assert "The invoice is wrong." in message.text


def test_a_huge_attachment_is_kept(settings):
    payload = b"A" * (8 * 1024 * 1024)
    import base64

    body = base64.encodebytes(payload).decode()
    data = (
        "From: big@example.com\r\nTo: support@goodwill.test\r\nSubject: Big\r\nMessage-ID: <big@x>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        "Content-Type: text/plain\r\n\r\nSee attached.\r\n--B\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=big.bin\r\n\r\n"
        f"{body}--B--\r\n"
    ).encode()
    assert ingest_many([data]).conversations_created == 1
    assert Message.objects.get().attachments.get().size == len(payload)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.builds(
            lambda head, body: b"From: x@example.com\r\n" + head + b"\r\n\r\n" + body,
            st.binary(max_size=300),
            st.binary(max_size=500),
        ),
    )
)
def test_any_bytes_end_as_a_stored_message_or_a_quarantine_entry(data):
    summary = ingest_many([data])
    assert summary.failed == 0
    assert summary.received == 1
    raw = RawEmail.objects.get(sha256=__import__("hashlib").sha256(data).hexdigest())
    assert raw.state in {"created", "appended", "quarantined", "duplicate"}
    if raw.state == "quarantined":
        assert Quarantine.objects.filter(raw=raw).exists()


def test_the_recovery_task_processes_mail_left_pending(eml):
    from goodwill.channels.email.intake import store_batch
    from goodwill.channels.email.tasks import process_pending_email

    store_batch([eml("plain.eml"), eml("html_only.eml")], source="smtp")  # stored, then the intake died
    assert RawEmail.objects.filter(state="pending").count() == 2
    assert process_pending_email.call() == 2
    assert Conversation.objects.count() == 2
    assert not RawEmail.objects.filter(state="pending").exists()


def test_a_message_that_breaks_processing_is_quarantined_and_the_batch_goes_on(eml, monkeypatch):
    from goodwill.conversations.services import inbound as services

    original = services.sanitise_html

    def explode_on_one(html):  # a bug hit by one message only, on the bulk path and the one-message path
        if "The invoice is wrong" in html:
            raise ValueError("sanitiser bug")
        return original(html)

    monkeypatch.setattr(services, "sanitise_html", explode_on_one)
    summary = ingest_many([eml("plain.eml"), eml("html_only.eml"), eml("inline_image.eml")])
    assert (summary.conversations_created, summary.quarantined, summary.failed) == (2, 1, 0)
    entry = Quarantine.objects.get()
    assert entry.reason == "error" and "sanitiser bug" in entry.detail
    assert entry.subject == "HTML only"


def test_more_attachments_than_the_cap_quarantine_the_message_and_write_no_attachment(eml, settings, admin):
    from goodwill.conversations.models import Attachment

    settings.GOODWILL_EMAIL_MAX_PARTS = 1000
    settings.GOODWILL_EMAIL_MAX_ATTACHMENTS = 100
    summary = ingest_many([eml("many_parts.eml")])
    assert summary.quarantined == 1
    entry = Quarantine.objects.get()
    assert entry.reason == "parts" and "100 attachments" in entry.detail
    assert not Attachment.objects.exists() and not Message.objects.exists()
    settings.GOODWILL_EMAIL_MAX_ATTACHMENTS = 600
    assert retry_quarantined(entry, by=admin).state == "created"  # raised cap: the raw was kept
    assert Attachment.objects.count() == 600


def test_a_forged_bounce_marks_no_address_and_is_quarantined_with_its_reason(eml):
    ingest_many([eml("plain.eml")])  # dana is a customer; we never wrote to her
    summary = ingest_many([eml("forged_bounce.eml")])
    assert summary.quarantined == 1
    entry = Quarantine.objects.get()
    assert entry.reason == "bounce" and "refers to no message we sent" in entry.detail
    assert Identity.objects.get(value="dana@example.org").failing_since is None


def test_a_report_quoting_the_customers_own_message_id_marks_nothing(eml):
    ingest_many([eml("plain.eml")])
    ingest_many([eml("bounce_dsn.eml", __ORIGINAL__="plain-1@example.org")])  # inbound, not ours
    assert Identity.objects.get(value="dana@example.org").failing_since is None
    assert Quarantine.objects.get().reason == "bounce"


def test_mail_from_a_failing_address_clears_the_mark(eml, agent):
    from goodwill.channels.email.intake import clear_failing
    from goodwill.channels.email.outbound import send_reply

    ingest_many([eml("plain.eml")])
    reply = add_reply(Conversation.objects.get(), by=agent, text="We are checking.")
    send_reply(reply.pk)
    ours = EmailDetails.objects.get(message=reply).message_id_header
    ingest_many([eml("bounce_dsn.eml", __ORIGINAL__=ours)])
    identity = Identity.objects.get(value="dana@example.org")
    assert identity.failing_since is not None
    ingest_many([mail(sender="dana@example.org", msgid="back-again@example.org", subject="Still there")])
    identity.refresh_from_db()
    assert identity.failing_since is None
    Identity.objects.filter(pk=identity.pk).update(failing_since=identity.created_at)
    clear_failing("Dana@Example.org")  # what a later successful delivery calls
    identity.refresh_from_db()
    assert identity.failing_since is None


def stranger_answer(sender: str, msgid: str = "s1@elsewhere.test") -> bytes:
    return mail(
        sender=sender,
        msgid=msgid,
        subject="Re: My order has not arrived",
        extra="In-Reply-To: <plain-1@example.org>\r\nReferences: <plain-1@example.org>\r\n",
    )


def test_a_stranger_answering_by_in_reply_to_opens_a_new_conversation_linked_to_the_old(eml, billing_team):
    Mailbox.objects.create(name="Billing", address="support@goodwill.test", team=billing_team)  # restricted
    ingest_many([eml("plain.eml")])
    old = Conversation.objects.get()
    summary = ingest_many([stranger_answer("stranger@elsewhere.test")])
    assert (summary.conversations_created, summary.messages_appended) == (1, 0)
    new = Conversation.objects.exclude(pk=old.pk).get()
    assert Customer.objects.with_email("stranger@elsewhere.test").get() == new.customer
    assert not old.messages.filter(author_customer=new.customer).exists()
    assert f"#{new.number}" in old.messages.get(direction="internal").text
    assert f"#{old.number}" in new.messages.get(direction="internal").text


def test_someone_copied_on_the_conversation_may_answer_it_by_headers(eml):
    ingest_many(
        [eml("plain.eml", **{"To: support@goodwill.test": "To: support@goodwill.test\nCc: bo@example.org"})]
    )
    summary = ingest_many([stranger_answer("bo@example.org")])
    assert (summary.conversations_created, summary.messages_appended) == (0, 1)
    assert Conversation.objects.get().message_count == 2


def test_the_customers_organisation_may_answer_when_the_mailbox_allows_it(eml):
    from goodwill.customers.models import Organisation

    Organisation.objects.create(name="Example", domains="example.org")
    mailbox = Mailbox.objects.create(name="Support", address="support@goodwill.test")
    ingest_many([eml("plain.eml")])
    assert Conversation.objects.get().customer.organisation is not None
    assert ingest_many([stranger_answer("colleague@example.org")]).conversations_created == 1
    mailbox.thread_by_customer_domain = True
    mailbox.save()
    assert ingest_many([stranger_answer("colleague2@example.org", "s2@example.org")]).messages_appended == 1
