"""The webhook body is documented in the OpenAPI description; admins read webhooks by API."""

from __future__ import annotations

import pytest

from goodwill.accounts.services import issue_api_token
from goodwill.webhooks.models import Webhook

pytestmark = pytest.mark.django_db


def test_the_openapi_description_documents_the_body_and_the_signature(client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["components"]["schemas"]["WebhookBody"]
    assert {"id", "topic", "event", "conversation", "customer", "rule", "test"} <= set(body["properties"])
    operation = schema["paths"]["/api/v1/webhooks/body"]["get"]
    assert "Goodwill-Signature" in operation["description"] and "300 seconds" in operation["description"]
    assert "ConversationBody" in schema["components"]["schemas"]


def test_admins_list_webhooks_and_deliveries_agents_may_not(client, admin, agent):
    webhook = Webhook.objects.create(name="CRM", url="https://crm.example.com/")
    admin_token = issue_api_token(admin, name="t")
    agent_token = issue_api_token(agent, name="t")
    answer = client.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code == 200 and answer.json()[0]["name"] == "CRM"
    assert "secret" not in answer.json()[0]
    log = client.get(f"/api/v1/webhooks/{webhook.pk}/deliveries", headers={"Authorization": f"Bearer {admin_token}"})
    assert log.status_code == 200 and log.json() == []
    refused = client.get("/api/v1/webhooks", headers={"Authorization": f"Bearer {agent_token}"})
    assert refused.status_code == 403
