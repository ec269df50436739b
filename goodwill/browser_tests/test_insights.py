"""Every registered dashboard in a real browser: change a filter, download its CSV, read a chart's table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from goodwill.conversations.services import open_conversation
from goodwill.insights import rollup
from goodwill.insights.registry import dashboards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def figures(customer, support_team):  # type: ignore[no-untyped-def]
    for subject, channel in (("Refund please", "email"), ("Parcel late", "portal"), ("Broken lid", "email")):
        open_conversation(
            customer=customer, subject=subject, channel=channel, team=support_team, text=subject
        )
    rollup.rebuild()


def test_each_dashboard_filters_downloads_and_shows_its_tables(new_page, admin, figures, tmp_path):
    page = new_page("ada@example.com", "pw-ada-123")
    rollup.rebuild()  # what the worker keeps up to date
    page.goto("/")
    expect(page.locator('.ws-more a[href="/insights/"]')).to_have_count(1)  # in the header's Pages menu
    page.goto("/insights/")
    expect(page.get_by_role("heading", name="Insights")).to_be_visible()
    for board in dashboards():
        page.goto(f"/insights/{board.slug}/")
        expect(page.get_by_role("heading", level=1, name=board.title)).to_be_visible()
        page.get_by_label("Period").select_option("90")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(lambda url: "range=90" in url)
        expect(page.get_by_label("Period")).to_have_value("90")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download CSV").click()
        download = download_info.value
        assert download.suggested_filename.startswith(f"{board.slug}-")
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert board.title in saved.read_text(encoding="utf-8").splitlines()[0]

        views = page.locator("details.insights-table-view")
        if views.count():
            views.first.locator("summary").click()
            table = views.first.get_by_role("table")
            expect(table).to_be_visible()
            expect(
                table.locator("caption")
            ).to_be_visible()  # empty when nothing happened (no agents at work)
    page.goto("/insights/volume/?range=90")
    page.get_by_text("Table view: Conversations opened, by channel").click()
    table = page.locator('table[data-chart="opened-by-channel"]')
    expect(table.locator("tbody tr")).to_have_count(90)  # one row a day, a column per channel
    expect(table.locator("thead")).to_contain_text("Email")
    expect(page.locator(".insights-figure").first).to_contain_text("3")
