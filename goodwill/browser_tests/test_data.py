"""An admin finds "Customer data" on a conversation, downloads the ZIP and erases the customer."""

from __future__ import annotations

import zipfile

import pytest
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
    with page.expect_download() as download:
        page.get_by_role("link", name="Download all data").click()
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
