import pytest
from django.urls import reverse

from goodwill.conversations.models import Attachment, Conversation, Draft, Macro, Message
from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation

pytestmark = pytest.mark.django_db


def send_url(conversation: Conversation) -> str:
    return reverse("conversations:send", args=[conversation.number])


def last_seen(conversation: Conversation) -> int:
    return conversation.messages.order_by("-id").values_list("id", flat=True).first()


def test_an_agent_replies_and_sets_the_status(client, agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    response = client.post(
        send_url(conversation),
        {
            "kind": "reply",
            "text": "Hello Carla, it ships today.",
            "seen_message_id": last_seen(conversation),
            "status": "pending",
        },
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    reply = conversation.messages.get(direction=Message.Direction.OUTBOUND)
    assert reply.text == "Hello Carla, it ships today."
    assert conversation.status == Conversation.Status.PENDING


def test_a_light_agent_can_note_but_not_reply(client, light_agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(light_agent)
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert 'value="reply"' not in page
    refused = client.post(
        send_url(conversation), {"kind": "reply", "text": "Hi!", "seen_message_id": last_seen(conversation)}
    )
    assert refused.status_code == 403
    noted = client.post(
        send_url(conversation),
        {"kind": "note", "text": "Asked finance.", "seen_message_id": last_seen(conversation)},
    )
    assert noted.status_code == 302
    kinds = list(conversation.messages.values_list("kind", flat=True))
    assert kinds == [Message.Kind.REPLY, Message.Kind.NOTE]


def test_a_light_agent_cannot_set_the_status_with_a_note(client, light_agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(light_agent)
    response = client.post(
        send_url(conversation),
        {"kind": "note", "text": "Done?", "seen_message_id": last_seen(conversation), "status": "solved"},
    )
    assert response.status_code == 403
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.NEW
    assert conversation.messages.count() == 1


def test_a_stale_reply_is_refused_once_with_the_new_message_shown(client, agent, customer):
    conversation = make_conversation(customer=customer)
    seen = last_seen(conversation)
    receive_message(conversation, customer=customer, text="Actually, it was the blue one I ordered.")
    client.force_login(agent)
    payload = {
        "kind": "reply",
        "text": "Your red jumper ships today.",
        "seen_message_id": seen,
        "status": "solved",
    }
    refused = client.post(send_url(conversation), payload)
    body = refused.content.decode()
    assert refused.status_code == 409
    assert "The customer wrote again while you were drafting — read it before sending." in body
    assert "Actually, it was the blue one I ordered." in body
    assert "Your red jumper ships today." in body  # the draft is kept in the composer
    assert conversation.messages.filter(direction=Message.Direction.OUTBOUND).count() == 0
    assert Draft.objects.get(agent=agent, conversation=conversation).text == "Your red jumper ships today."
    newest = refused.context["seen_message_id"]
    assert newest == last_seen(conversation)
    accepted = client.post(send_url(conversation), {**payload, "seen_message_id": newest})
    assert accepted.status_code == 302
    assert conversation.messages.filter(direction=Message.Direction.OUTBOUND).count() == 1
    assert not Draft.objects.filter(agent=agent, conversation=conversation).exists()


def test_notes_are_not_held_back_by_new_customer_messages(client, agent, customer):
    conversation = make_conversation(customer=customer)
    seen = last_seen(conversation)
    receive_message(conversation, customer=customer, text="Hello again")
    client.force_login(agent)
    response = client.post(send_url(conversation), {"kind": "note", "text": "FYI", "seen_message_id": seen})
    assert response.status_code == 302


def test_an_empty_reply_is_not_sent(client, agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    response = client.post(
        send_url(conversation), {"kind": "reply", "text": "  ", "seen_message_id": last_seen(conversation)}
    )
    assert response.status_code == 302
    assert conversation.messages.count() == 1


def test_replies_carry_attachments(client, agent, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    upload = SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf")
    client.post(
        send_url(conversation),
        {
            "kind": "reply",
            "text": "Return label attached.",
            "seen_message_id": last_seen(conversation),
            "attachments": [upload],
        },
    )
    attachment = Attachment.objects.get(message__conversation=conversation)
    assert attachment.filename == "label.pdf"
    assert attachment.message.direction == Message.Direction.OUTBOUND


def test_drafts_are_saved_per_agent_and_come_back(client, agent, teammate, customer):
    conversation = make_conversation(customer=customer)
    draft_url = reverse("conversations:draft", args=[conversation.number])
    client.force_login(agent)
    response = client.post(
        draft_url,
        {"kind": "reply", "text": "Half a thought", "seen_message_id": last_seen(conversation)},
        headers={"HX-Request": "true"},
    )
    assert response.content == b"Draft saved"
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Half a thought</textarea>" in page
    client.force_login(teammate)
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Half a thought" not in page
    client.force_login(agent)
    client.post(draft_url, {"kind": "reply", "text": "", "seen_message_id": last_seen(conversation)})
    assert not Draft.objects.filter(conversation=conversation).exists()


def test_drafts_of_hidden_conversations_are_refused(client, agent, billing_team):
    hidden = make_conversation(team=billing_team)
    client.force_login(agent)
    response = client.post(
        reverse("conversations:draft", args=[hidden.number]), {"kind": "reply", "text": "x"}
    )
    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_macros_fill_in_their_placeholders(client, agent, customer):
    customer.preferred_name = "Carly"
    customer.save(update_fields=["preferred_name"])
    conversation = make_conversation(customer=customer)
    macro = Macro.objects.create(
        name="Shipped",
        text="Hi {customer_name}, #{conversation_number} has shipped. {agent_name}",
        set_status="pending",
    )
    client.force_login(agent)
    expected = f"Hi Carly, #{conversation.number} has shipped. Sam Agent"
    response = client.get(reverse("conversations:macro", args=[conversation.number, macro.pk]))
    assert response.content.decode() == expected
    page = client.get(reverse("conversations:detail", args=[conversation.number]), {"macro": macro.pk})
    assert f"{expected}</textarea>" in page.content.decode()
    assert '<option value="pending" selected>' in page.content.decode()


def test_personal_macros_stay_personal_and_light_agents_get_note_macros(client, agent, teammate, light_agent):
    conversation = make_conversation()
    private = Macro.objects.create(name="Tess's", text="private", owner=teammate)
    reply_macro = Macro.objects.create(name="Reply", text="Hello")
    note_macro = Macro.objects.create(name="Escalation note", text="Escalated", kind=Message.Kind.NOTE)
    client.force_login(agent)
    assert (
        client.get(reverse("conversations:macro", args=[conversation.number, private.pk])).status_code == 404
    )
    client.force_login(light_agent)
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Escalation note" in page
    assert ">Reply<" not in page
    assert (
        client.get(reverse("conversations:macro", args=[conversation.number, reply_macro.pk])).status_code
        == 403
    )
    assert (
        client.get(reverse("conversations:macro", args=[conversation.number, note_macro.pk])).status_code
        == 200
    )


def test_an_agent_logs_a_phone_call_on_the_conversation(client, agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    response = client.post(
        send_url(conversation),
        {"kind": "phone", "text": "Called: she will send photos.", "seen_message_id": 0, "status": "pending"},
    )
    assert response.status_code == 302
    call = conversation.messages.get(kind=Message.Kind.PHONE)
    assert call.author_agent == agent
    assert call.direction == Message.Direction.INBOUND
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.PENDING
    page = client.get(reverse("conversations:detail", args=[conversation.number])).content.decode()
    assert "Phone call, logged by Sam Agent" in page


def test_light_agents_cannot_log_calls(client, light_agent, customer):
    conversation = make_conversation(customer=customer)
    client.force_login(light_agent)
    response = client.post(
        send_url(conversation), {"kind": "walk_in", "text": "Came by", "seen_message_id": 0}
    )
    assert response.status_code == 403
    assert not conversation.messages.filter(kind=Message.Kind.WALK_IN).exists()


def test_a_reply_on_top_of_another_agents_is_held_until_confirmed(client, agent, teammate, customer):
    from django.core.cache import cache

    from goodwill.live.services import PresenceState, record_presence

    cache.clear()
    conversation = make_conversation(customer=customer)
    record_presence(conversation, agent=teammate, state=PresenceState.REPLYING)
    client.force_login(agent)
    posted = {"kind": "reply", "text": "It ships today.", "seen_message_id": last_seen(conversation)}

    held = client.post(send_url(conversation), posted)
    assert held.status_code == 409
    body = held.content.decode()
    assert f"{teammate.name} is writing a reply right now — yours was not sent." in body
    assert '<input type="hidden" name="collision_ack" value="1">' in body
    assert "It ships today." in body
    assert not conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()
    assert Draft.objects.get(conversation=conversation, agent=agent).text == "It ships today."

    # A note never reaches the customer, so it is not held.
    note = client.post(send_url(conversation), {**posted, "kind": "note", "text": "Tess is on it"})
    assert note.status_code == 302

    sent = client.post(send_url(conversation), {**posted, "collision_ack": "1"})
    assert sent.status_code == 302
    assert conversation.messages.filter(direction=Message.Direction.OUTBOUND, text="It ships today.").exists()
    cache.clear()


def test_an_agent_who_is_only_viewing_does_not_hold_a_reply(client, agent, teammate, customer):
    from django.core.cache import cache

    from goodwill.live.services import PresenceState, record_presence

    cache.clear()
    conversation = make_conversation(customer=customer)
    record_presence(conversation, agent=teammate, state=PresenceState.VIEWING)
    record_presence(conversation, agent=agent, state=PresenceState.REPLYING)
    client.force_login(agent)
    response = client.post(
        send_url(conversation), {"kind": "reply", "text": "Done.", "seen_message_id": last_seen(conversation)}
    )
    assert response.status_code == 302
    assert conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()
    cache.clear()


def test_files_over_the_caps_are_refused_with_413_and_the_text_kept(client, agent, customer, settings):
    """Issue 10, item 4: the composer took a 50 MB file; the per-request caps apply to it too."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_FILE_BYTES = 1024
    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    response = client.post(
        send_url(conversation),
        {
            "kind": "reply",
            "text": "Here is the full manual.",
            "seen_message_id": last_seen(conversation),
            "attachments": [SimpleUploadedFile("manual.pdf", b"%" * 2048, content_type="application/pdf")],
        },
    )
    assert response.status_code == 413
    assert "Here is the full manual." in response.content.decode()
    assert "too large" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not conversation.messages.filter(direction=Message.Direction.OUTBOUND).exists()


def test_too_many_files_are_refused(client, agent, customer, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_FILES = 2
    conversation = make_conversation(customer=customer)
    client.force_login(agent)
    files = [SimpleUploadedFile(f"photo{n}.png", b"png", content_type="image/png") for n in range(3)]
    response = client.post(
        send_url(conversation),
        {"kind": "note", "text": "Three photos.", "seen_message_id": last_seen(conversation), "attachments": files},
    )
    assert response.status_code == 413
    assert not Attachment.objects.exists()
