"""An admin finds "Customer data" on a conversation, has the ZIP prepared by the worker (the page
shows it appear), downloads it and erases the customer."""

from __future__ import annotations

import re
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from goodwill.customers.models import Customer
from goodwill.data.models import Erasure
from goodwill.data.tests.helpers import ADDRESS, customer_with_everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_exports_then_erases(new_page, admin, agent, tmp_path):  # type: ignore[no-untyped-def]
    conversation = customer_with_everything(agent)
    page = new_page("ada@example.com", "pw-ada-123")
    page.goto(f"/c/{conversation.number}/")
    page.get_by_role("link", name="Export or erase this customer's data").click()
    expect(page.get_by_role("heading", name="Export")).to_be_visible()
    page.get_by_role("button", name="Prepare an export").click()
    expect(page.locator("#exports")).to_contain_text("waiting…")
    call_command("worker", batch=True)  # the worker builds it; the page polls until it is ready
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download")).click()
    target = tmp_path / "export.zip"
    download.value.save_as(target)
    assert "customer.json" in zipfile.ZipFile(target).namelist()
    page.get_by_label("Delete their conversations").check()
    page.get_by_label("Type ERASE to confirm").fill("erase")
    page.get_by_role("button", name="Erase this customer").click()
    expect(page.get_by_text("Type ERASE in capitals to confirm.")).to_be_visible()
    assert Customer.objects.with_email(ADDRESS).exists()
    page.get_by_label("Delete their conversations").check()
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    page.get_by_role("button", name="Erase this customer").click()
    page.wait_for_url(lambda url: "/data/" not in url)
    assert not Customer.objects.with_email(ADDRESS).exists()
    assert Erasure.objects.get().actor == admin
