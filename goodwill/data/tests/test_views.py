"""The customer data page, its download, the erase form and the portal's own download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from goodwill.channels.portal import services as portal_services
from goodwill.customers.models import Customer
from goodwill.data import export_files
from goodwill.data.models import DataExport, Erasure
from goodwill.data.tests.helpers import ADDRESS, customer_with_everything

pytestmark = pytest.mark.django_db


def test_admin_downloads_and_erases(client, admin, agent, django_capture_on_commit_callbacks):
    conversation = customer_with_everything(agent)
    client.force_login(admin)
    page = client.get(reverse("data:customer", args=[conversation.customer_id]))
    assert page.status_code == 200 and b"Prepare an export" in page.content
    asked = client.post(reverse("data:customer_exports", args=[conversation.customer_id]))
    assert asked.status_code == 302
    export = DataExport.objects.get()
    assert (export.audience, export.requested_by, export.state) == ("team", admin, "queued")
    polled = client.get(
        reverse("data:customer_exports", args=[conversation.customer_id]), HTTP_HX_REQUEST="true"
    )
    assert b'hx-trigger="every 2s"' in polled.content and b"waiting" in polled.content
    assert client.get(reverse("data:export_download", args=[export.pk])).status_code == 404  # not ready yet
    export_files.build(export.pk)  # the worker
    polled = client.get(
        reverse("data:customer_exports", args=[conversation.customer_id]), HTTP_HX_REQUEST="true"
    )
    assert (
        b"every 2s" not in polled.content
        and reverse("data:export_download", args=[export.pk]).encode() in polled.content
    )
    download = client.get(reverse("data:export_download", args=[export.pk]))
    assert download["Cache-Control"] == "private, no-store"
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
    assert client.post(reverse("data:customer_exports", args=[conversation.customer_id])).status_code == 403
    export = export_files.request_export(conversation.customer, audience="team")
    export_files.build(export.pk)
    assert client.get(reverse("data:export_download", args=[export.pk])).status_code == 403


def test_portal_customer_downloads_only_their_own(client, agent):
    conversation = customer_with_everything(agent)
    assert client.get(reverse("data:portal_export")).status_code == 302
    session = client.session
    session[portal_services.SESSION_KEY] = conversation.customer_id
    session.save()
    assert b"Download my data" in client.get(reverse("portal:home")).content
    assert b"Prepare my data" in client.get(reverse("data:portal_export")).content
    assert client.post(reverse("data:portal_export")).status_code == 302
    export = DataExport.objects.get()
    assert export.audience == "customer" and export.requested_by is None
    waiting = client.get(reverse("data:portal_export")).content.decode()
    assert (
        "being prepared" in waiting and 'http-equiv="refresh"' in waiting and "Prepare my data" not in waiting
    )
    export_files.build(export.pk)  # the worker
    ready = client.get(reverse("data:portal_export")).content.decode()
    assert reverse("data:portal_export_download", args=[export.pk]) in ready and "refresh" not in ready
    download = client.get(reverse("data:portal_export_download", args=[export.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert not [name for name in archive.namelist() if name.startswith("records/")]


def test_portal_customer_never_gets_someone_elses_export_or_the_teams(client, agent, customer):
    conversation = customer_with_everything(agent)
    theirs = export_files.request_export(conversation.customer, audience="customer")
    team = export_files.request_export(customer, audience="team")
    for export in (theirs, team):
        export_files.build(export.pk)
    session = client.session
    session[portal_services.SESSION_KEY] = customer.pk
    session.save()
    assert client.get(reverse("data:portal_export_download", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("data:portal_export_download", args=[team.pk])).status_code == 404
