"""The notices page: only the agent's own, newest first, keyset pages, open marks read."""

from __future__ import annotations

import pytest

from goodwill.accounts.models import Notification
from goodwill.accounts.notifications import notify, unread_count

pytestmark = pytest.mark.django_db


def test_the_header_counts_unread_and_the_page_lists_them(client, agent, teammate):
    notify([agent], key="a", title="Promise to Carla due tomorrow", url="/c/1/")
    notify([teammate], key="b", title="Not for Sam")
    client.force_login(agent)
    page = client.get("/accounts/notices/").content.decode()
    assert "Promise to Carla due tomorrow" in page and "Not for Sam" not in page
    assert 'aria-label="1 unread"' in page


def test_opening_a_notice_marks_it_read_and_goes_there(client, agent, teammate):
    (mine,) = notify([agent], key="a", title="Due", url="/c/7/")
    (theirs,) = notify([teammate], key="a", title="Due")
    client.force_login(agent)
    answer = client.get(f"/accounts/notices/{mine.pk}/")
    assert answer.status_code == 302 and answer["Location"] == "/c/7/"
    assert unread_count(agent) == 0
    assert client.get(f"/accounts/notices/{theirs.pk}/").status_code == 404


def test_a_notice_never_redirects_off_site(client, agent):
    (notice,) = notify([agent], key="x", title="Odd", url="https://evil.example/")
    client.force_login(agent)
    assert client.get(f"/accounts/notices/{notice.pk}/")["Location"] == "/accounts/notices/"


def test_mark_all_read_and_paging(client, agent):
    for number in range(55):
        notify([agent], key=f"k{number}", title=f"Notice {number}")
    client.force_login(agent)
    first = client.get("/accounts/notices/").content.decode()
    assert "Notice 54" in first and "Notice 4<" not in first
    oldest_shown = Notification.objects.filter(agent=agent).order_by("-pk")[49].pk
    second = client.get(f"/accounts/notices/?before={oldest_shown}").content.decode()
    assert "Notice 4<" in second and "Notice 54" not in second
    client.post("/accounts/notices/read/")
    assert unread_count(agent) == 0
