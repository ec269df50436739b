import json

import pytest
from django.test import Client

from goodwill.accounts.services import issue_api_token
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer
from goodwill.memory.duplicates import build_all_keys
from goodwill.memory.models import Fact
from goodwill.memory.services import add_fact
from goodwill.memory.tests.conftest import open_with

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, agent) -> None:  # type: ignore[no-untyped-def]
        self.headers = {"Authorization": f"Bearer {issue_api_token(agent)}"}
        self.client = Client()

    def get(self, path, params=None):  # type: ignore[no-untyped-def]
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path, body):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )

    def patch(self, path, body):  # type: ignore[no-untyped-def]
        return self.client.patch(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )


def test_an_agent_adds_lists_edits_and_outdates_facts(agent, customer, conversation):
    api = Api(agent)
    message = conversation.messages.get()
    created = api.post(
        f"/customers/{customer.pk}/facts",
        {"category": "date", "text": "Daughter's wedding on 12 May", "message": message.pk},
    )
    assert created.status_code == 201, created.json()
    fact = created.json()
    assert fact["date"].endswith("-05-12") and fact["source_conversation"] == conversation.number
    assert fact["learned_by"]["email"] == agent.email
    changed = api.patch(f"/facts/{fact['id']}", {"text": "Lucy's wedding on 12 May", "is_outdated": True})
    assert changed.status_code == 200 and changed.json()["is_outdated"] is True
    assert api.get(f"/customers/{customer.pk}/facts").json() == {"items": [], "next": None}
    listed = api.get(f"/customers/{customer.pk}/facts", {"include_outdated": "true"}).json()
    assert [item["text"] for item in listed["items"]] == ["Lucy's wedding on 12 May"]


def test_bad_input_is_a_clear_error(agent, customer):
    api = Api(agent)
    assert api.post(f"/customers/{customer.pk}/facts", {"category": "gossip", "text": "x"}).status_code == 422
    answer = api.post(f"/customers/{customer.pk}/facts", {"category": "family", "text": "   "})
    assert answer.status_code == 422 and "text" in answer.json()["detail"]
    assert api.post("/customers/999999/facts", {"category": "family", "text": "x"}).status_code == 404
    assert api.get(f"/customers/{customer.pk}/facts", {"cursor": "nope"}).status_code == 400
    assert api.get(f"/customers/{customer.pk}/timeline", {"cursor": "nope"}).status_code == 400
    assert not Fact.objects.exists()


def test_light_agents_read_only_and_restricted_facts_stay_hidden(
    light_agent, agent, outsider, customer, billing_conversation
):
    add_fact(
        customer,
        category="accessibility",
        text="Screen reader",
        by=outsider,
        message=billing_conversation.messages.get(),
    )
    api = Api(light_agent)
    assert api.post(f"/customers/{customer.pk}/facts", {"category": "family", "text": "x"}).status_code == 403
    assert api.get(f"/customers/{customer.pk}/facts").json()["items"] == []
    assert len(Api(outsider).get(f"/customers/{customer.pk}/facts").json()["items"]) == 1
    fact = Fact.objects.get()
    assert Api(agent).get(f"/facts/{fact.pk}").status_code == 404
    assert (
        Api(agent)
        .post(
            f"/customers/{customer.pk}/facts",
            {"category": "other", "text": "x", "message": billing_conversation.messages.get().pk},
        )
        .status_code
        == 404
    )


def test_facts_are_not_part_of_the_customer_resource(agent, customer):
    add_fact(customer, category="family", text="Daughter Lucy", by=agent)
    assert "Daughter Lucy" not in Api(agent).get(f"/customers/{customer.pk}").content.decode()


def test_timeline_duplicates_and_merge(agent, light_agent, customer):
    twin = create_customer(name="Carla Twin", emails=["carla+news@customer.test"])
    open_with(twin, "Hello there", subject="From the twin")
    build_all_keys()
    api = Api(agent)
    duplicates = api.get(f"/customers/{customer.pk}/duplicates").json()
    assert duplicates == [
        {
            "customer": twin.pk,
            "name": "Carla Twin",
            "reasons": ["Same email address: carla+news@customer.test / carla@customer.test"],
        }
    ]
    assert Api(light_agent).post(f"/customers/{customer.pk}/merge", {"other": twin.pk}).status_code == 403
    merged = api.post(f"/customers/{customer.pk}/merge", {"other": twin.pk, "reason": "same person"})
    assert merged.status_code == 200, merged.json()
    assert merged.json()["moved"]["conversations.conversation"] == 1
    assert not Customer.objects.filter(pk=twin.pk).exists()
    assert api.post(f"/customers/{customer.pk}/merge", {"other": twin.pk}).status_code == 422
    assert api.post(f"/customers/{customer.pk}/merge", {"other": customer.pk}).status_code == 422
    timeline = api.get(f"/customers/{customer.pk}/timeline").json()
    assert any("From the twin" in item["title"] for item in timeline["items"])
