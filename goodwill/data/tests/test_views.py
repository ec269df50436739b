"""The customer data page, its download, the erase form and the portal's own download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from goodwill.channels.portal import services as portal_services
from goodwill.customers.models import Customer
from goodwill.data.models import Erasure
from goodwill.data.tests.helpers import ADDRESS, customer_with_everything

pytestmark = pytest.mark.django_db


def test_admin_downloads_and_erases(client, admin, agent, django_capture_on_commit_callbacks):
    conversation = customer_with_everything(agent)
    client.force_login(admin)
    page = client.get(reverse("data:customer", args=[conversation.customer_id]))
    assert page.status_code == 200 and b"Download all data" in page.content
    download = client.get(reverse("data:customer_export", args=[conversation.customer_id]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "customer.json" in archive.namelist()
    refused = client.post(
        reverse("data:customer", args=[conversation.customer_id]), {"mode": "delete", "confirm": "yes"}
    )
    assert refused.status_code == 422 and Customer.objects.with_email(ADDRESS).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("data:customer", args=[conversation.customer_id]), {"mode": "delete", "confirm": "ERASE"}
        )
    assert done.status_code == 302
    assert not Customer.objects.with_email(ADDRESS).exists()
    assert Erasure.objects.get().actor == admin


def test_agents_may_not(client, agent):
    conversation = customer_with_everything(agent)
    client.force_login(agent)
    assert client.get(reverse("data:customer", args=[conversation.customer_id])).status_code == 403
    assert client.get(reverse("data:customer_export", args=[conversation.customer_id])).status_code == 403


def test_portal_customer_downloads_only_their_own(client, agent):
    conversation = customer_with_everything(agent)
    assert client.get(reverse("data:portal_export")).status_code == 302
    session = client.session
    session[portal_services.SESSION_KEY] = conversation.customer_id
    session.save()
    assert b"Download my data" in client.get(reverse("portal:home")).content
    download = client.get(reverse("data:portal_export"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert not [name for name in archive.namelist() if name.startswith("records/")]
