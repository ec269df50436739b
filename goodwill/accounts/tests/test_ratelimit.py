"""The limiter's counters: exact under concurrency on every store, and their window rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

from goodwill.accounts import ratelimit
from goodwill.accounts.tests.live import post_all_at_once, running_server
from goodwill.core.testing import python_json

RACE = """
import json, threading
from django.db import connection
from goodwill.accounts import ratelimit

start = threading.Barrier(30)
results = []

def one():
    start.wait()
    try:
        results.append(ratelimit.hit("race", limit=5, window_seconds=600))
    finally:
        connection.close()

threads = [threading.Thread(target=one) for _ in range(30)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"allowed": results.count(True), "answered": len(results)}))
"""


@pytest.mark.slow
def test_thirty_simultaneous_hits_let_exactly_the_limit_through(server_env: dict[str, str]) -> None:
    seen = python_json(RACE, server_env)

    assert seen == {"allowed": 5, "answered": 30}


@pytest.mark.slow
def test_thirty_simultaneous_portal_link_requests_make_at_most_five_links(server_env: dict[str, str]) -> None:
    with running_server(server_env) as base:
        answers = post_all_at_once(base, "/portal/", [{"email": "dana@example.org"}] * 30)
    links = python_json(
        "import json\nfrom goodwill.channels.portal.models import SignInLink\n"
        "print(json.dumps(SignInLink.objects.filter(email='dana@example.org').count()))",
        server_env,
    )

    assert sorted({answer.status for answer in answers}) == [302, 429]
    assert [answer.status for answer in answers].count(302) == 5
    assert links == 5


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, db: None) -> Iterator[str]:
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
        with override_settings(CACHES=caches):
            yield request.param
    else:
        yield request.param


def test_it_counts_up_to_the_limit_and_refuses_after(store: str) -> None:
    answers = [ratelimit.hit("k", limit=3, window_seconds=60) for _ in range(5)]

    assert answers == [True, True, True, False, False]


def test_keys_are_counted_apart(store: str) -> None:
    assert [ratelimit.count("a", window_seconds=60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.count("b", window_seconds=60) == 1


def test_give_back_takes_one_hit_back_and_never_goes_below_zero(store: str) -> None:
    ratelimit.count("k", window_seconds=60)
    ratelimit.count("k", window_seconds=60)
    ratelimit.give_back("k")
    assert ratelimit.count("k", window_seconds=60) == 2

    for _ in range(5):
        ratelimit.give_back("k")
    ratelimit.give_back("never-counted")
    assert ratelimit.count("k", window_seconds=60) == 1
    assert ratelimit.count("never-counted", window_seconds=60) == 1


def test_reset_forgets_the_key(store: str) -> None:
    for _ in range(4):
        ratelimit.count("k", window_seconds=60)

    ratelimit.reset("k")

    assert ratelimit.count("k", window_seconds=60) == 1


def test_a_new_window_starts_from_one_when_the_old_one_ends(store: str) -> None:
    import time

    ratelimit.count("k", window_seconds=1)
    deadline = time.monotonic() + 10
    while ratelimit.count("k", window_seconds=1) != 1:
        assert time.monotonic() < deadline, "the window never ended"


def test_very_long_keys_are_counted(store: str) -> None:
    key = "login:" + "x" * 300 + "@example.com"

    assert [ratelimit.count(key, window_seconds=60) for _ in range(2)] == [1, 2]
    assert ratelimit.count(key.replace("x", "y"), window_seconds=60) == 1
