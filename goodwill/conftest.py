"""Personas shared by every test: an agent, a teammate, an outsider team's agent, a customer."""

from __future__ import annotations

import pytest
from django.conf import settings

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.core.testing import migrated_template, postgres_template
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, settings):  # type: ignore[no-untyped-def]
    """Files written by a test (attachments, raw mail) go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Pages render {% static %} without a collectstatic manifest in tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # PBKDF2's deliberate slowness costs ~0.3 s per persona; tests need no password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def support_team(db) -> Team:  # type: ignore[no-untyped-def]
    return Team.objects.create(name="Support", slug="support")


@pytest.fixture
def billing_team(db) -> Team:  # type: ignore[no-untyped-def]
    return Team.objects.create(name="Billing", slug="billing", is_restricted=True)


@pytest.fixture
def admin(db) -> Agent:  # type: ignore[no-untyped-def]
    return create_or_update_agent("ada@example.com", name="Ada Admin", role="admin", password="pw-ada-123")[0]


@pytest.fixture
def agent(support_team) -> Agent:  # type: ignore[no-untyped-def]
    person = create_or_update_agent("sam@example.com", name="Sam Agent", role="agent", password="pw-sam-123")[0]
    add_to_team(person, support_team)
    return person


@pytest.fixture
def teammate(support_team) -> Agent:  # type: ignore[no-untyped-def]
    person = create_or_update_agent("tess@example.com", name="Tess Teammate", role="agent", password="pw-tess-123")[0]
    add_to_team(person, support_team)
    return person


@pytest.fixture
def outsider(billing_team) -> Agent:  # type: ignore[no-untyped-def]
    person = create_or_update_agent("otto@example.com", name="Otto Billing", role="agent", password="pw-otto-123")[0]
    add_to_team(person, billing_team)
    return person


@pytest.fixture
def light_agent(support_team) -> Agent:  # type: ignore[no-untyped-def]
    person = create_or_update_agent("lee@example.com", name="Lee Light", role="light", password="pw-lee-123")[0]
    add_to_team(person, support_team)
    return person


@pytest.fixture
def customer(db) -> Customer:  # type: ignore[no-untyped-def]
    return create_customer(name="Carla Customer", emails=["carla@customer.test"])


# The migrated templates are defined here once: a session fixture imported into several
# conftest files is a separate fixture (and a separate ~18 s CPU migration) in each.
__all__ = ["migrated_template", "postgres_template", "settings"]


@pytest.fixture(autouse=True)
def _empty_local_cache():  # type: ignore[no-untyped-def]
    """The per-process cache (rendered fragments) starts empty, as the database cache does."""
    from django.core.cache import caches

    caches["local"].clear()
