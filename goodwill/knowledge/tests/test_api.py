"""/api/v1/articles: read and search everything, write with history; light agents read only."""

from __future__ import annotations

import pytest

from goodwill.accounts.services import issue_api_token
from goodwill.api.tests.conftest import ApiClient
from goodwill.conversations.models import ContactReason
from goodwill.knowledge.models import Article

pytestmark = pytest.mark.django_db


def test_an_agent_creates_changes_and_reads_the_history(agent):
    need = ContactReason.objects.create(name="Refund")
    api = ApiClient(issue_api_token(agent))
    created = api.post(
        "/articles", {"title": "Refunds", "body": "Within 5 days.", "status": "published", "needs": [need.pk]}
    )
    assert created.status_code == 201, created.content
    article = created.json()
    assert article["needs"] == [need.pk] and article["revision"] == 1
    changed = api.patch(f"/articles/{article['id']}", {"body": "Within 3 days.", "note": "Faster now"})
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    history = api.get(f"/articles/{article['id']}/revisions").json()
    assert [(r["number"], r["body"], r["note"]) for r in history] == [
        (2, "Within 3 days.", "Faster now"),
        (1, "Within 5 days.", ""),
    ]
    found = api.get("/articles", {"q": "days"}).json()
    assert [item["id"] for item in found["items"]] == [article["id"]]


def test_bad_input_is_a_422_and_changes_nothing(agent):
    api = ApiClient(issue_api_token(agent))
    assert api.post("/articles", {"title": "", "body": "x"}).status_code == 422
    assert api.post("/articles", {"title": "T", "body": "x", "needs": [999]}).status_code == 422
    assert api.post("/articles", {"title": "T", "body": "x", "status": "live"}).status_code == 422
    assert not Article.objects.exists()


def test_a_light_agent_reads_but_cannot_write(agent, light_agent):
    Article.objects.create(title="Internal", slug="internal", body="x", visibility="internal")
    api = ApiClient(issue_api_token(light_agent))
    assert api.get("/articles").json()["items"][0]["title"] == "Internal"
    assert api.post("/articles", {"title": "T", "body": "x"}).status_code == 403


def test_openapi_documents_articles(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/articles" in paths and "/api/v1/articles/{article_id}/revisions" in paths
