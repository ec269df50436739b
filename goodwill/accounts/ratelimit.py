"""Fixed-window rate limits with atomic counters.

Every call counts first and compares after, in one atomic step of the store, so
requests that arrive together cannot all read "under the limit" before any of them
is counted. The store follows the cache: Redis when GOODWILL_REDIS_URL is set (one
Lua script: INCR, and EXPIRE on a new key), otherwise the database (one
INSERT … ON CONFLICT DO UPDATE … RETURNING on `accounts_ratecounter`, which SQLite
and PostgreSQL both run atomically). Django's database cache is not used for this:
its `incr` is a read followed by a write, which let 7 of 30 simultaneous requests
through a limit of 5.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.db.models import F
from django.utils import timezone

from goodwill.accounts.models import RateCounter

_REDIS_ADD = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""
_REDIS_GIVE_BACK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current and current > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _short(key: str) -> str:
    """Keys fit the 255-character column (an address can be 254 characters long)."""
    return key if len(key) <= 200 else f"{key[:100]}#{hashlib.sha256(key.encode()).hexdigest()}"


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; False when this hit is over `limit` for the current window."""
    return count(key, window_seconds=window_seconds) <= limit


def count(key: str, *, window_seconds: int) -> int:
    """Count one hit and return how many the key has had in its current window."""
    key = _short(key)
    redis = _redis(key)
    if redis is not None:
        client, redis_key = redis
        return int(client.eval(_REDIS_ADD, 1, redis_key, 1, window_seconds))
    return _database_count(key, window_seconds)


def give_back(key: str) -> None:
    """Take one hit back (the attempt turned out fine); never below zero."""
    key = _short(key)
    redis = _redis(key)
    if redis is not None:
        client, redis_key = redis
        client.eval(_REDIS_GIVE_BACK, 1, redis_key)
        return
    RateCounter.objects.filter(key=key, count__gt=0, expires_at__gt=timezone.now()).update(
        count=F("count") - 1
    )


def reset(key: str) -> None:
    """Forget every hit of `key`."""
    key = _short(key)
    redis = _redis(key)
    if redis is not None:
        client, redis_key = redis
        client.delete(redis_key)
        return
    RateCounter.objects.filter(key=key).delete()


def _redis(key: str) -> tuple[Any, str] | None:
    """The Redis client and full key when the cache is Redis, else None (use the database)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    redis_key = backend.make_and_validate_key(f"rl:{key}")
    return backend._cache.get_client(redis_key, write=True), redis_key


_UPSERT = """
INSERT INTO accounts_ratecounter ("key", "count", "expires_at") VALUES (%s, 1, %s)
ON CONFLICT ("key") DO UPDATE SET
  "count" = CASE WHEN accounts_ratecounter."expires_at" <= %s THEN 1 ELSE accounts_ratecounter."count" + 1 END,
  "expires_at" = CASE WHEN accounts_ratecounter."expires_at" <= %s THEN excluded."expires_at"
                      ELSE accounts_ratecounter."expires_at" END
RETURNING "count"
"""


def _database_count(key: str, window_seconds: int) -> int:
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        # One statement: the row lock (PostgreSQL) or the write lock (SQLite) makes
        # "add one and read it back" a single step for every concurrent caller.
        cursor.execute(_UPSERT, [key, adapt(now + timedelta(seconds=window_seconds)), adapt(now), adapt(now)])
        row = cursor.fetchone()
    current = int(row[0])
    if current == 1:
        # A new window: a cheap moment to drop windows that ended (indexed by expiry).
        RateCounter.objects.filter(expires_at__lte=now).exclude(key=key).delete()
    return current
