"""Reach out: a prefilled message the agent edits, sent in a new outbound conversation."""

from __future__ import annotations

import pytest

from goodwill.churn.models import Outreach
from goodwill.churn.tests.conftest import NOW
from goodwill.churn.watch import compute_watch
from goodwill.conversations.models import Conversation, Message

pytestmark = pytest.mark.django_db


def test_the_form_is_prefilled_without_internal_reasons(client, agent, listed_entry):
    client.force_login(agent)
    page = client.get(f"/churn/{listed_entry.customer_id}/reach-out/").content.decode()
    assert "Hello Rita," in page and "Sam Agent" in page
    textarea = page.split("<textarea", 1)[1].split("</textarea>", 1)[0]
    assert "promise" not in textarea and "broken" not in textarea


def test_sending_opens_an_outbound_conversation_and_marks_the_row(
    client, agent, listed_entry, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/churn/{listed_entry.customer_id}/reach-out/",
            {"subject": "How are things?", "text": "Hello Rita, edited."},
        )
    conversation = Conversation.objects.get(subject="How are things?")
    assert response.status_code == 302 and response["Location"] == f"/c/{conversation.number}/"
    assert conversation.customer_id == listed_entry.customer_id and conversation.assignee == agent
    assert conversation.status == Conversation.Status.PENDING and conversation.last_inbound_at is None
    message = conversation.messages.get()
    assert message.direction == Message.Direction.OUTBOUND and message.text == "Hello Rita, edited."
    outreach = Outreach.objects.get()
    assert (
        outreach.conversation == conversation
        and outreach.after_conversation_id == listed_entry.last_conversation_id
    )
    assert message.delivery == Message.Delivery.QUEUED  # the email transport took it, like any reply
    # Until Rita answers, the outreach is no contact of hers: she stays listed (and marked).
    assert [e.customer_id for e in compute_watch(NOW).entries] == [listed_entry.customer_id]


def test_an_empty_message_is_refused(client, agent, listed_entry):
    client.force_login(agent)
    response = client.post(f"/churn/{listed_entry.customer_id}/reach-out/", {"subject": "x", "text": "  "})
    assert response.status_code == 400
    assert not Outreach.objects.exists()


def test_customers_not_listed_are_not_found(client, agent, customer):
    client.force_login(agent)
    assert client.get(f"/churn/{customer.pk}/reach-out/").status_code == 404


def test_light_agents_may_not_reach_out(client, light_agent, listed_entry):
    client.force_login(light_agent)
    assert client.get(f"/churn/{listed_entry.customer_id}/reach-out/").status_code == 403
