import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Message
from goodwill.conversations.services import NewAttachment, open_conversation, receive_message
from goodwill.core.models import Event

pytestmark = pytest.mark.django_db


def test_it_lists_messages_oldest_first_with_notes(api_as, agent, support_conversation):
    client = api_as(agent)
    client.post(f"/conversations/{support_conversation.number}/messages", {"kind": "note", "text": "Checking"})
    response = client.get(f"/conversations/{support_conversation.number}/messages")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(item["direction"], item["kind"]) for item in items] == [("in", "reply"), ("internal", "note")]
    first = items[0]
    assert first["conversation"] == support_conversation.number
    assert first["author_customer"]["email"] == "carla@customer.test"
    assert first["author_agent"] is None
    assert first["text"] == "Where is my parcel?"
    assert first["attachments"] == []
    assert items[1]["author_agent"]["id"] == agent.pk
    assert response.json()["next"] is None


def test_message_pages_follow_cursors(api_as, agent, customer):
    start = timezone.now() - timedelta(hours=1)
    conversation, first = open_conversation(customer=customer, subject="Many", channel="email", text="0", at=start)
    made = [first] + [
        receive_message(conversation, customer=customer, text=str(i), at=start + timedelta(minutes=i))
        for i in range(1, 8)
    ]
    client = api_as(agent)
    ids, cursor = [], None
    while True:
        body = client.get(
            f"/conversations/{conversation.number}/messages", {"limit": 3, **({"cursor": cursor} if cursor else {})}
        ).json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert ids == [message.pk for message in made]


def test_a_cursor_from_another_conversation_is_refused(api_as, agent, customer):
    one, _ = open_conversation(customer=customer, subject="One", channel="email", text="a")
    receive_message(one, customer=customer, text="b")
    two, _ = open_conversation(customer=customer, subject="Two", channel="email", text="c")
    client = api_as(agent)
    cursor = client.get(f"/conversations/{one.number}/messages", {"limit": 1}).json()["next"]
    response = client.get(f"/conversations/{two.number}/messages", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {"detail": "Invalid cursor."}


def test_a_reply_is_sent_and_queued_for_email_delivery(api_as, agent, support_conversation):
    response = api_as(agent).post(
        f"/conversations/{support_conversation.number}/messages",
        {"kind": "reply", "text": "Hello Carla, it is on its way.", "status": "pending"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["direction"] == "out"
    assert body["kind"] == "reply"
    assert body["delivery"] == "queued"
    assert body["author_agent"]["id"] == agent.pk
    support_conversation.refresh_from_db()
    assert support_conversation.status == "pending"
    assert support_conversation.first_response_at is not None
    assert Event.objects.filter(conversation=support_conversation, kind=Event.Kind.REPLY_SENT, actor=agent).exists()


def test_a_reply_carries_attachments_that_can_be_downloaded(api_as, agent, support_conversation):
    client = api_as(agent)
    content = b"%PDF-1.4 label"
    response = client.post(
        f"/conversations/{support_conversation.number}/messages",
        {
            "kind": "reply",
            "text": "Here is your label.",
            "attachments": [
                {"name": "../../label.pdf", "content_type": "application/pdf",
                 "content_base64": base64.b64encode(content).decode()}
            ],
        },
    )
    assert response.status_code == 201, response.json()
    attachment = response.json()["attachments"][0]
    assert attachment["name"] == "label.pdf"
    assert attachment["size"] == len(content)
    assert attachment["content_type"] == "application/pdf"
    download = client.client.get(attachment["url"], headers=client._headers())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert api_as(None).client.get(attachment["url"]).status_code == 401


def test_attachments_of_hidden_conversations_are_404(api_as, agent, outsider, customer, billing_team):
    conversation, message = open_conversation(
        customer=customer, subject="Invoice", channel="email", text="See attached",
        attachments=[NewAttachment(filename="invoice.pdf", content=b"secret", content_type="application/pdf")],
        team=billing_team,
    )
    attachment = message.attachments.get()
    owner = api_as(outsider)
    url = owner.get(f"/conversations/{conversation.number}/messages").json()["items"][0]["attachments"][0]["url"]
    assert owner.client.get(url, headers=owner._headers()).status_code == 200
    stranger = api_as(agent)
    assert stranger.client.get(url, headers=stranger._headers()).status_code == 404
    other, _ = open_conversation(customer=customer, subject="Other", channel="email", text="x")
    wrong = f"/api/v1/conversations/{other.number}/attachments/{attachment.pk}"
    assert stranger.client.get(wrong, headers=stranger._headers()).status_code == 404


def test_a_light_agent_can_note_but_not_reply(api_as, light_agent, support_conversation):
    client = api_as(light_agent)
    path = f"/conversations/{support_conversation.number}/messages"
    note = client.post(path, {"kind": "note", "text": "Customer sounds upset."})
    assert note.status_code == 201
    assert note.json()["direction"] == "internal"
    reply = client.post(path, {"kind": "reply", "text": "Hello!"})
    assert reply.status_code == 403
    assert reply.json()["detail"]
    assert not Message.objects.filter(conversation=support_conversation, direction="out").exists()


def test_notes_take_text_only_and_need_some(api_as, agent, support_conversation):
    client = api_as(agent)
    path = f"/conversations/{support_conversation.number}/messages"
    assert client.post(path, {"kind": "note", "text": "x", "status": "solved"}).status_code == 422
    empty = client.post(path, {"kind": "note", "text": "   "})
    assert empty.status_code == 422
    assert empty.json() == {"detail": "A note needs some text."}
    assert client.post(path, {"kind": "shout", "text": "x"}).status_code == 422
    bad = client.post(path, {"kind": "reply", "text": "x", "attachments": [{"name": "a", "content_base64": "!!"}]})
    assert bad.status_code == 422


def test_outsiders_cannot_write_to_hidden_conversations(api_as, agent, billing_conversation):
    response = api_as(agent).post(
        f"/conversations/{billing_conversation.number}/messages", {"kind": "note", "text": "peek"}
    )
    assert response.status_code == 404
    assert billing_conversation.messages.count() == 1


def test_a_message_list_of_25_takes_as_many_queries_as_a_list_of_5(api_as, agent, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goodwill.conversations.services import add_note, add_reply

    conversation, _ = open_conversation(
        customer=customer, subject="Long", channel="email", text="0",
        attachments=[NewAttachment(filename="a.txt", content=b"a", content_type="text/plain")],
    )
    for i in range(12):
        receive_message(conversation, customer=customer, text=f"in {i}",
                        attachments=[NewAttachment(filename=f"{i}.txt", content=b"x", content_type="text/plain")])
        if i % 2:
            add_reply(conversation, by=agent, text=f"out {i}")
        else:
            add_note(conversation, by=agent, text="n")
    client = api_as(agent)
    path = f"/conversations/{conversation.number}/messages"
    client.get(path, {"limit": 1})

    def count(limit):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(path, {"limit": limit}).json()["items"]) == limit
        return len(queries)

    assert count(25) == count(5)
