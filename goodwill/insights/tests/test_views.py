"""The dashboards' pages: who may open them, the filters, the CSV, and constant query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from goodwill.accounts.models import TeamMembership
from goodwill.conversations.models import Conversation
from goodwill.insights.registry import dashboards

pytestmark = pytest.mark.django_db

WIDE = "?from=2026-10-01&to=2026-12-10"


def test_agents_who_lead_no_team_are_refused(client, history):
    client.force_login(history.ann)
    assert client.get("/insights/").status_code == 403
    assert client.get("/insights/volume/").status_code == 403
    assert client.get("/insights/volume.csv").status_code == 403


def test_leads_and_admins_see_every_dashboard(client, history, admin):
    for person in (history.lead, admin):
        client.force_login(person)
        index = client.get("/insights/").content.decode()
        for board in dashboards():
            assert reverse("insights:dashboard", args=[board.slug]) in index
            assert board.question.replace("'", "&#x27;") in index
            page = client.get(reverse("insights:dashboard", args=[board.slug]))
            assert page.status_code == 200, board.slug


def test_an_unknown_dashboard_is_not_found(client, history):
    client.force_login(history.lead)
    assert client.get("/insights/nothing-here/").status_code == 404


def test_the_page_shows_figures_charts_and_their_table_views(client, history):
    client.force_login(history.lead)
    page = client.get(f"/insights/volume/{WIDE}").content.decode()
    assert "<svg" in page and "<title>" in page
    assert 'data-chart="opened-by-channel"' in page  # the chart's table view
    assert '<dt>Conversations opened</dt><dd><span class="value">7</span>' in page
    assert "style=" not in page.split("<main", 1)[-1]  # no inline style (CSP)


def test_a_filter_changes_the_figures(client, history):
    client.force_login(history.lead)
    page = client.get(f"/insights/volume/{WIDE}&team={history.billing.pk}").content.decode()
    count = Conversation.objects.filter(team=history.billing).count()
    assert f'<dt>Conversations opened</dt><dd><span class="value">{count}</span>' in page
    assert f'<option value="{history.billing.pk}" selected>' in page


def test_a_preset_period_and_bad_dates(client, history):
    client.force_login(history.lead)
    assert client.get("/insights/mood/?range=7").status_code == 200
    bad = client.get("/insights/mood/?from=2026-12-10&to=2026-12-01")
    assert bad.status_code == 400
    assert "The start comes after the end." in bad.content.decode()


def test_the_csv_holds_the_same_figures(client, history):
    client.force_login(history.lead)
    for url in (f"/insights/volume.csv{WIDE}", f"/insights/volume/{WIDE}&format=csv"):
        response = client.get(url)
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert ["Conversations opened", "7", "7", ""] in rows
        assert ["Conversations opened, by channel"] in rows
        assert ["Needs this week against their usual week"] in rows


def test_query_counts_do_not_grow_with_the_data(client, history, django_assert_max_num_queries):
    client.force_login(history.lead)
    for board in dashboards():
        with django_assert_max_num_queries(20):
            client.get(f"{reverse('insights:dashboard', args=[board.slug])}{WIDE}")


def test_a_lead_loses_access_with_the_lead_role(client, history):
    TeamMembership.objects.filter(agent=history.lead).update(is_lead=False)
    client.force_login(history.lead)
    assert client.get("/insights/").status_code == 403


@pytest.mark.parametrize("slug", ["volume", "workload"])
def test_volume_and_workload_read_only_summaries(client, history, slug, django_assert_max_num_queries):
    client.force_login(history.lead)
    for query in (WIDE, f"{WIDE}&team={history.support.pk}", f"{WIDE}&organisation={history.acme.pk}"):
        # session, agent, lead check, the form's four lists, the notifications badge, and the
        # dashboard's own: three summary queries and one for names
        with django_assert_max_num_queries(12) as captured:
            assert client.get(f"/insights/{slug}/{query}").status_code == 200
        read = " ".join(q["sql"] for q in captured.captured_queries)
        assert "conversations_conversation" not in read and "conversations_message" not in read, query
