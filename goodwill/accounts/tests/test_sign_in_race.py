"""The sign-in limit under real concurrency: many guesses at once against a running server.

Each backend the limiter runs on in production gets the same test: SQLite (file, WAL),
PostgreSQL, and Redis as the cache. PBKDF2 is the real hasher here (~0.5 s a guess), the
window in which guesses counted only after the hash all slipped through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from goodwill.accounts.tests.live import post_all_at_once, post_form, running_server
from goodwill.core.testing import clean_env, run_goodwill

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


def test_behind_a_trusted_proxy_clients_are_limited_apart_over_real_http(migrated_data_dir: Path) -> None:
    env = clean_env(migrated_data_dir, GOODWILL_TRUSTED_PROXIES="127.0.0.1", GOODWILL_LOGIN_RATE_LIMIT="3")
    assert (
        run_goodwill(["create-agent", "sam@example.com", "--password", "the-right-one-42"], env).returncode
        == 0
    )
    attacker = {"X-Forwarded-For": "203.0.113.9"}

    with running_server(env) as base:
        wrong = {"username": "sam@example.com", "password": "no"}
        guesses = [post_form(base, LOGIN, wrong, headers=attacker) for _ in range(3)]
        right = {"username": "sam@example.com", "password": "the-right-one-42"}
        from_attacker = post_form(base, LOGIN, right, headers=attacker)
        # A forged hop to the left of the proxy's own entry changes nothing.
        forged = post_form(base, LOGIN, right, headers={"X-Forwarded-For": "198.51.100.4, 203.0.113.9"})
        from_owner = post_form(base, LOGIN, right, headers={"X-Forwarded-For": "198.51.100.4"})

    assert [answer.status for answer in guesses] == [200, 200, 200]
    assert from_attacker.status == 429
    assert forged.status == 429
    assert from_owner.status == 302
