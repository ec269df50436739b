"""The API gives agents each customer message's scores, and documents them."""

from __future__ import annotations

import pytest

from goodwill.accounts.services import issue_api_token
from goodwill.api.tests.conftest import ApiClient
from goodwill.conversations.services import add_reply, open_conversation, receive_message
from goodwill.listening.engine import MODEL_VERSION
from goodwill.listening.services import score_message

pytestmark = pytest.mark.django_db


def test_customer_messages_carry_their_scores_and_replies_none(agent, customer):
    conversation, first = open_conversation(customer=customer, subject="Order", channel="email", text="Hi")
    angry = receive_message(
        conversation, customer=customer, text="Still broken, third time asking. I'm furious!"
    )
    score_message(angry)
    add_reply(conversation, by=agent, text="So sorry, looking now.")
    response = ApiClient(issue_api_token(agent)).get(f"/conversations/{conversation.number}/messages")
    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["items"]}
    scores = items[angry.pk]["scores"]
    assert scores["scored"] is True and scores["polarity"] == "neg" and scores["sentiment"] < -0.3
    assert scores["model_version"] == MODEL_VERSION and 0 <= scores["emotions"]["anger"] <= 1
    assert items[first.pk]["scores"] is None  # not read yet by the worker
    assert [item["scores"] for item in items.values() if item["direction"] == "out"] == [None]


def test_openapi_documents_the_scores(client):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert "scores" in components["MessageOut"]["properties"]
    assert {"sentiment", "emotions", "abusive", "abuse_triggers", "model_version"} <= set(
        components["ScoresOut"]["properties"]
    )
