"""The timeline is built as HTML in Python: everything from outside must come out escaped."""

import re

import pytest
from django.urls import reverse

from goodwill.conversations.services import NewAttachment, add_note, log_contact, receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.conversations.timeline import (
    TimelineContext,
    build_timeline,
    timeline_html,
    timeline_messages,
)
from goodwill.customers.services import find_or_create_customer_by_email
from goodwill.live.selectors import conversation_marker, marker_of

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & "quotes"'


def render(conversation, *, can_edit=True, stale=(), csrf="token-123", images=frozenset()):  # type: ignore[no-untyped-def]
    messages, attachments = timeline_messages(conversation)
    timeline = build_timeline(messages, [], set(images), attachments)
    return str(
        timeline_html(
            timeline,
            TimelineContext(
                conversation=conversation,
                customer_name=str(conversation.customer),
                can_edit=can_edit,
                csrf_token=csrf,
                stale_ids=frozenset(stale),
            ),
        )
    )


def test_text_names_and_file_names_from_outside_are_escaped(customer, agent):
    customer.name = HOSTILE
    customer.save(update_fields=["name"])
    conversation = make_conversation(customer=customer, text=HOSTILE)
    receive_message(
        conversation,
        customer=customer,
        text="see file",
        attachments=[NewAttachment('"><img src=x onerror=alert(1)>.png', b"png", "image/png")],
    )
    html = render(conversation)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert "<img src=x" not in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png" in html


def test_the_formatted_original_goes_escaped_into_a_sandboxed_srcdoc(customer):
    conversation = make_conversation(customer=customer)
    message = receive_message(
        conversation,
        customer=customer,
        text="hi",
        html='<p><b>Hi</b></p><img src="https://t.example/p.gif">',
    )
    html = render(conversation)
    frame = re.search(r"<iframe class=\"msg-html\" sandbox srcdoc=\"([^\"]*)\"", html)
    assert frame is not None
    assert "&lt;p&gt;&lt;b&gt;Hi&lt;/b&gt;&lt;/p&gt;" in frame.group(1)
    assert "img-src data:&quot;" in frame.group(1)  # the policy ends there: no remote images
    assert f'href="?images={message.pk}#m{message.pk}"' in html
    loaded = render(conversation, images={message.pk})
    assert "img-src data: https: http:" in loaded
    assert "Load remote images" not in loaded


def test_split_forms_carry_the_csrf_token_and_only_editors_get_them(customer):
    conversation = make_conversation(customer=customer)
    second = receive_message(conversation, customer=customer, text="another question")
    html = render(conversation, csrf="abc<&>")
    split_url = reverse("conversations:split", args=[conversation.number, second.pk])
    assert f'action="{split_url}"' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="abc&lt;&amp;&gt;">' in html
    assert "Split into a new conversation" not in render(conversation, can_edit=False)


def test_authors_kinds_and_new_messages_are_labelled(customer, agent):
    conversation = make_conversation(customer=customer)
    note = add_note(conversation, by=agent, text="checked the stock")
    _same, call = log_contact(
        conversation=conversation, customer=customer, by=agent, kind="phone", text="called back"
    )
    other = find_or_create_customer_by_email("colleague@customer.test", name="Colin Colleague")
    from_colleague = receive_message(conversation, customer=other, text="I am writing for Carla")
    html = render(conversation, stale={from_colleague.pk})
    assert "Internal note" in html
    assert f"Phone call, logged by {agent.display_name}" in html
    assert "Colin Colleague" in html
    assert f'class="msg msg-in kind-reply is-new" id="m{from_colleague.pk}"' in html
    assert f'id="m{note.pk}"' in html and f'id="m{call.pk}"' in html


def test_attachments_link_to_the_conversations_own_urls(customer):
    conversation = make_conversation(customer=customer)
    message = receive_message(
        conversation,
        customer=customer,
        text="files",
        attachments=[
            NewAttachment("photo.png", b"png", "image/png"),
            NewAttachment("bill.pdf", b"%PDF", "application/pdf"),
        ],
    )
    html = render(conversation)
    for file in message.attachments.all():
        url = reverse("conversations:attachment", args=[conversation.number, file.pk])
        assert f'href="{url}" download>Download {file.filename}' in html
    assert 'class="thumb"' in html
    assert "Preview bill.pdf" in html


def test_the_marker_of_what_the_page_shows_matches_the_databases(customer, agent):
    conversation = make_conversation(customer=customer)
    newest = receive_message(conversation, customer=customer, text="one more")
    conversation.refresh_from_db()
    assert marker_of(conversation, newest.pk) == conversation_marker(conversation.pk)
    conversation.priority = 4
    assert marker_of(conversation, newest.pk) != conversation_marker(conversation.pk)
