"""Playwright with Debian's Chromium against pytest-django's live server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between browser steps are ordinary synchronous calls all the same.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 20_000


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A file database for browser tests, not SQLite's shared-cache memory database.

    The live server thread and the test thread both use the database; in shared-cache
    memory mode SQLite locks whole tables and fails at once ("database table is locked")
    instead of waiting, while a file in WAL mode lets readers run beside the writer.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("browser-db") / "test.sqlite3")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """new_page(email, password) → a page in its own browser context, signed in."""
    contexts = []

    def open_signed_in(email: str, password: str):  # type: ignore[no-untyped-def]
        context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Berlin")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_signed_in
    for context in contexts:
        # Stop heartbeats and leave-beacons before the database is emptied for the next test.
        context.route("**/*", lambda route: route.abort())
        context.close()
    _wait_for_server_requests(live_server)


def _wait_for_server_requests(live_server, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Until the live server has answered every request already under way (each runs in a
    thread of its own), so none of them touches the database while it is emptied."""
    deadline = time.monotonic() + seconds
    while any(thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()):
        if time.monotonic() > deadline:
            raise AssertionError("the live server still answers requests of a finished test")
        time.sleep(0.02)
