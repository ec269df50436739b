"""/api/v1/conversations/{number}/promises: list, create and close, with the usual permission checks."""

from __future__ import annotations

import pytest

from goodwill.accounts.services import issue_api_token
from goodwill.api.tests.conftest import ApiClient
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import subscribed
from goodwill.promises.models import Promise

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(customer, support_team):  # type: ignore[no-untyped-def]
    with subscribed({}):
        return make_conversation(customer=customer, team=support_team)


def test_create_list_and_close(agent, conversation):
    api = ApiClient(issue_api_token(agent))
    path = f"/conversations/{conversation.number}/promises"
    created = api.post(path, {"text": "We'll ship it by Friday.", "due_at": "2026-12-11T17:00:00+00:00"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner"]["email"] == agent.email and body["state"] == "open" and body["source"] == "manual"
    assert body["due_at"].startswith("2026-12-11T17:00:00")
    listed = api.get(path).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["next"] is None
    refused = api.post(f"{path}/{body['id']}/close", {"closing": "broken"})
    assert refused.status_code == 422 and "why" in refused.json()["detail"]
    closed = api.post(f"{path}/{body['id']}/close", {"closing": "broken", "reason": "Courier strike"})
    assert closed.status_code == 200 and closed.json()["outcome"] == "broken"
    again = api.post(f"{path}/{body['id']}/close", {"closing": "kept"})
    assert again.status_code == 422


def test_bad_input_and_permissions(agent, outsider, light_agent, conversation, customer, billing_team):
    with subscribed({}):
        hidden = make_conversation(customer=customer, team=billing_team)
    api = ApiClient(issue_api_token(agent))
    assert api.post(f"/conversations/{conversation.number}/promises", {"text": ""}).status_code == 422
    assert (
        api.post(
            f"/conversations/{conversation.number}/promises", {"text": "x", "due_at": "soon"}
        ).status_code
        == 422
    )
    assert api.get(f"/conversations/{hidden.number}/promises").status_code == 404
    assert api.post(f"/conversations/{hidden.number}/promises", {"text": "x"}).status_code == 404
    light = ApiClient(issue_api_token(light_agent))
    assert light.post(f"/conversations/{conversation.number}/promises", {"text": "x"}).status_code == 403
    assert light.get(f"/conversations/{conversation.number}/promises").status_code == 200
    assert ApiClient(None).get(f"/conversations/{conversation.number}/promises").status_code == 401
    other = ApiClient(issue_api_token(outsider)).post(
        f"/conversations/{hidden.number}/promises", {"text": "We'll call."}
    )
    assert other.status_code == 201
    promise_id = other.json()["id"]
    assert (
        api.post(
            f"/conversations/{conversation.number}/promises/{promise_id}/close", {"closing": "kept"}
        ).status_code
        == 404
    )
    assert Promise.objects.get(pk=promise_id).is_open


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/conversations/{number}/promises" in paths
    assert "/api/v1/conversations/{number}/promises/{promise_id}/close" in paths
