"""The sign-in limit under real concurrency: many guesses at once against a running server.

Each backend the limiter runs on in production gets the same test: SQLite (file, WAL),
PostgreSQL, and Redis as the cache. PBKDF2 is the real hasher here (~0.5 s a guess), the
window in which guesses counted only after the hash all slipped through.
"""

from __future__ import annotations

import pytest

from goodwill.accounts.tests.live import post_all_at_once, post_form, running_server
from goodwill.core.testing import run_goodwill

pytestmark = pytest.mark.slow

LIMIT = 10
LOGIN = "/accounts/login/"


def test_forty_simultaneous_wrong_passwords_are_not_all_tried(server_env: dict[str, str]) -> None:
    created = run_goodwill(["create-agent", "sam@example.com", "--password", "the-right-one-42"], server_env)
    assert created.returncode == 0, created.stderr

    with running_server(server_env) as base:
        guesses = [{"username": "sam@example.com", "password": f"guess-{n}"} for n in range(40)]
        answers = post_all_at_once(base, LOGIN, guesses)
        right = post_form(base, LOGIN, {"username": "sam@example.com", "password": "the-right-one-42"})

    tried = [answer for answer in answers if answer.status != 429]
    assert all(answer.status == 200 for answer in tried)  # wrong password, form shown again
    assert len(tried) <= LIMIT
    assert right.status == 429
    assert "Too many failed sign-in attempts" in right.body
