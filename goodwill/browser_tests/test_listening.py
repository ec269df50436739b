"""Listening in a real browser: an angry mail sent over SMTP reaches the "Upset customers"
view through a worker; the tone coach flags a blaming draft and fixes it in one click; abusive
text stays masked until the agent chooses to read it."""

from __future__ import annotations

import re
import smtplib

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from goodwill.channels.email.smtpd import IntakeServer
from goodwill.channels.email.tests.conftest import free_port
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import open_conversation, receive_message
from goodwill.listening.models import MessageScore
from goodwill.listening.policy import set_mask_abuse
from goodwill.listening.services import score_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANGRY_MAIL = (
    b"From: Rita Angry <rita@customer.test>\r\nTo: support@goodwill.test\r\n"
    b"Subject: Broken again\r\nMessage-ID: <angry-1@customer.test>\r\nContent-Type: text/plain\r\n\r\n"
    b"This is the THIRD time I'm writing. The heater is still broken and nobody answers. I'm furious!\r\n"
)


@pytest.fixture
def conversation(customer, support_team) -> Conversation:
    return open_conversation(
        customer=customer,
        subject="Cracked teapot lid",
        channel="email",
        text="Hello, the lid of my teapot arrived cracked. Can you help?",
        team=support_team,
    )[0]


def test_an_angry_mail_over_smtp_shows_in_the_upset_view(new_page, agent):
    intake = IntakeServer("127.0.0.1", free_port(), max_bytes=200_000)
    intake.start()
    try:
        with smtplib.SMTP("127.0.0.1", intake.controller.port, timeout=10) as client:
            assert client.sendmail("rita@customer.test", ["support@goodwill.test"], ANGRY_MAIL) == {}
        assert intake.wait_until_processed()
    finally:
        intake.stop()
    call_command("worker", batch=True)  # the worker runs the scoring subscriber
    score = MessageScore.objects.get()
    assert score.mood == "angry" and score.sentiment is not None and score.sentiment <= -0.3
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto("/?view=upset")
    expect(page.get_by_role("link", name=re.compile("Broken again"))).to_be_visible()


def test_the_tone_coach_flags_blame_and_fixes_it_in_one_click(new_page, agent, conversation):
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    draft = page.get_by_label("Message")
    draft.fill("Hi Carla,\n\nThanks for writing. You failed to pack the lid properly. I'll send a new one by Friday.")
    finding = page.locator('.tone-finding[data-code="blame"]')
    expect(finding).to_be_visible()
    finding.get_by_role("button").click()
    expect(draft).not_to_have_value(re.compile("You failed to"))
    expect(draft).to_have_value(re.compile("pack the lid properly"))
    expect(page.locator('.tone-finding[data-code="blame"]')).to_have_count(0)


def test_abusive_text_is_masked_until_the_agent_reveals_it(new_page, agent, conversation):
    message = receive_message(
        conversation, customer=conversation.customer, text="You people are a bunch of incompetent clowns."
    )
    assert message.direction == Message.Direction.INBOUND
    score_message(message)
    set_mask_abuse(agent, True)
    page = new_page("sam@example.com", "pw-sam-123")
    page.goto(f"/c/{conversation.number}/")
    body = page.locator(f"#m{message.pk} .msg-body")
    expect(body).to_be_hidden()
    page.locator(f"#m{message.pk}").get_by_text("Show the message").click()
    expect(body).to_be_visible()
    expect(body).to_contain_text("incompetent clowns")
