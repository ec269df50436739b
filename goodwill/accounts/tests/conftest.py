from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from goodwill.core.testing import (
    clean_env,
    migrated_data_dir,
    postgres_data_dir,
    redis_url,
)

__all__ = ["migrated_data_dir", "postgres_data_dir", "redis_url", "server_env"]


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def server_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a Goodwill process on each store the limits run on in production:
    an SQLite file (WAL), PostgreSQL, and Redis as the cache."""
    if request.param == "postgresql":
        data_dir, url = request.getfixturevalue("postgres_data_dir")
        yield clean_env(data_dir, GOODWILL_DATABASE_URL=url)
    elif request.param == "redis":
        data_dir = request.getfixturevalue("migrated_data_dir")
        yield clean_env(data_dir, GOODWILL_REDIS_URL=request.getfixturevalue("redis_url"))
    else:
        yield clean_env(request.getfixturevalue("migrated_data_dir"))


@pytest.fixture(autouse=True)
def _fresh_redis_counters() -> Iterator[None]:
    """With GOODWILL_REDIS_URL set, counters live in Redis, which no test transaction rolls back."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, RedisCache):
        backend.clear()
    yield
