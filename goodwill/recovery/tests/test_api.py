"""/api/v1/recovery/cases: list, read, open (idempotent by key) and close, permission-checked."""

from __future__ import annotations

import pytest

from goodwill.accounts.models import Team
from goodwill.accounts.services import add_to_team, issue_api_token
from goodwill.api.tests.conftest import ApiClient
from goodwill.core.events import subscribed
from goodwill.recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db


def test_open_list_read_and_close(agent, conversation, customer):
    api = ApiClient(issue_api_token(agent))
    payload = {
        "customer": customer.pk,
        "conversation": conversation.number,
        "reason": "Lost parcel",
        "key": "k-1",
    }
    created = api.post("/recovery/cases", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["trigger"] == "manual" and body["owner"]["email"] == agent.email
    assert [s["kind"] for s in body["steps"]] == ["acknowledge", "fix", "gesture", "follow_up"]
    again = api.post("/recovery/cases", payload)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    listed = api.get("/recovery/cases?status=open").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert api.get(f"/recovery/cases/{body['id']}").json()["reason"] == "Lost parcel"
    closed = api.post(f"/recovery/cases/{body['id']}/close", {"result": "recovered", "note": "Bought again"})
    assert closed.status_code == 200 and closed.json()["result"] == "recovered"
    assert api.post(f"/recovery/cases/{body['id']}/close", {"result": "no_response"}).status_code == 422
    assert api.get("/recovery/cases?status=open").json()["items"] == []


def test_permissions_and_bad_input(agent, outsider, light_agent, conversation, customer):
    secret = Team.objects.create(name="Secret", slug="secret", is_restricted=True)
    add_to_team(agent, secret)
    conversation.team = secret
    conversation.save()
    api = ApiClient(issue_api_token(agent))
    case = api.post(
        "/recovery/cases", {"customer": customer.pk, "conversation": conversation.number, "reason": "Private"}
    ).json()
    outside = ApiClient(issue_api_token(outsider))
    assert outside.get(f"/recovery/cases/{case['id']}").status_code == 404
    assert outside.get("/recovery/cases").json()["items"] == []
    assert outside.post(f"/recovery/cases/{case['id']}/close", {"result": "recovered"}).status_code == 404
    light = ApiClient(issue_api_token(light_agent))
    assert light.post("/recovery/cases", {"customer": customer.pk, "reason": "x"}).status_code == 403
    with subscribed({}):
        from goodwill.customers.services import create_customer

        stranger = create_customer(name="Stranger", emails=["s@x.test"])
    mismatch = api.post(
        "/recovery/cases", {"customer": stranger.pk, "conversation": conversation.number, "reason": "x"}
    )
    assert mismatch.status_code == 422
    assert api.post("/recovery/cases", {"customer": customer.pk, "reason": ""}).status_code == 422
    assert RecoveryCase.objects.count() == 1


def test_a_return_posted_to_the_api_is_announced(agent, customer):
    from goodwill.core.models import Event

    api = ApiClient(issue_api_token(agent))
    answer = api.post(f"/customers/{customer.pk}/returned", {"note": "renewed the yearly plan"})
    assert answer.status_code == 201
    event = Event.objects.get(kind="customer.returned")
    assert event.customer == customer and event.after["note"] == "renewed the yearly plan"
