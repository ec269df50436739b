"""The header's "Pages" menu links to every feature page, and admins also to the settings pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

EVERYONE = ["/promises/", "/expectations/", "/voice/grid/", "/voice/improvements/", "/knowledge/"]
EVERYONE += ["/voice/nps-ces/", "/voice/extra-mile/", "/churn/"]
EVERYONE += ["/recovery/"]  # service recovery (issue 15)
ADMINS = [
    "/expectations/policies/", "/expectations/schedules/", "/listening/settings/", "/data/retention/",
    "/voice/interviews/",
]


def test_agents_see_the_feature_pages_and_each_one_opens(client, agent):
    client.force_login(agent)
    page = client.get("/accounts/notices/").content.decode()
    for path in EVERYONE:
        assert f'href="{path}"' in page
        assert client.get(path).status_code == 200, path
    for path in ADMINS:
        assert f'href="{path}"' not in page


def test_admins_also_see_the_settings_pages_and_each_one_opens(client, admin):
    client.force_login(admin)
    page = client.get("/accounts/notices/").content.decode()
    for path in ADMINS:
        assert f'href="{path}"' in page
        assert client.get(path).status_code == 200, path
