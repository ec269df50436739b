"""Presence through Redis, as several web processes would share it."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.core.cache import caches

from goodwill.conversations.services import open_conversation
from goodwill.live.selectors import others_present
from goodwill.live.services import record_presence

REDIS_URL = "redis://127.0.0.1:6379/14"


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_is_up(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_cache(settings):  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A prefix per test run, so runs in parallel never see each other's keys.
            "KEY_PREFIX": f"goodwill-test-{uuid.uuid4().hex}",
        }
    }
    # Keys expire by themselves (seconds for presence, an hour for rosters); clear() would
    # flush the whole Redis database.
    return caches["default"]


def test_presence_written_by_one_process_is_read_by_another(redis_cache, agent, teammate, customer):
    conversation = open_conversation(customer=customer, subject="Shared", channel="email", text="hi")[0]
    record_presence(conversation, agent=teammate, state="replying")

    # A second client on the same Redis stands in for another web process.
    from django.core.cache.backends.redis import RedisCache

    other_process = RedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache.key_prefix})
    assert other_process.get(f"live:roster:{conversation.pk}") == [teammate.pk]

    seen = others_present(conversation, agent)
    assert [(person.name, person.state) for person in seen] == [("Tess Teammate", "replying")]
