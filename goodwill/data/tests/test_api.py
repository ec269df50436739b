"""Customer export and erasure through the REST API."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from goodwill.accounts.services import issue_api_token
from goodwill.customers.models import Customer
from goodwill.data.tests.helpers import ADDRESS, customer_with_everything

pytestmark = pytest.mark.django_db


def _headers(agent) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {issue_api_token(agent)}"}


def test_admin_exports_and_erases(admin, agent, django_capture_on_commit_callbacks):
    conversation = customer_with_everything(agent)
    client = Client()
    url = f"/api/v1/customers/{conversation.customer_id}"
    answer = client.get(f"{url}/export", headers=_headers(admin))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert "customer.json" in zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))).namelist()
    bad = client.post(
        f"{url}/erasure", {"mode": "shred"}, content_type="application/json", headers=_headers(admin)
    )
    assert bad.status_code == 422 and Customer.objects.with_email(ADDRESS).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"{url}/erasure", {"mode": "anonymise"}, content_type="application/json", headers=_headers(admin)
        )
    assert done.status_code == 200 and done.json()["mode"] == "anonymise"
    assert not Customer.objects.with_email(ADDRESS).exists()


def test_agents_are_refused_and_unknown_customers_are_404(admin, agent):
    conversation = customer_with_everything(agent)
    client = Client()
    url = f"/api/v1/customers/{conversation.customer_id}"
    assert client.get(f"{url}/export", headers=_headers(agent)).status_code == 403
    refused = client.post(
        f"{url}/erasure", {"mode": "delete"}, content_type="application/json", headers=_headers(agent)
    )
    assert refused.status_code == 403 and Customer.objects.with_email(ADDRESS).exists()
    assert client.get("/api/v1/customers/999999/export", headers=_headers(admin)).status_code == 404
    assert client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/customers/{customer_id}/erasure"]
