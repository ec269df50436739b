"""The ASGI application `goodwill serve` runs (uvicorn).

Django runs each request's sync code (middleware, views, the ORM) in a thread. Left to
itself it starts a new thread for every request, and since database connections belong
to a thread, every request then opened (and leaked to the garbage collector) a database
connection of its own: a PostgreSQL backend started per page, and for SQLite a fresh
page cache and a fresh malloc arena per thread, which is where a web process's memory
went. Here each request borrows one of a fixed set of long-lived threads instead
(`GOODWILL_WEB_THREADS`, default 4), so each thread keeps one persistent connection
(CONN_MAX_AGE) and memory stays bounded: threads × the SQLite cache, plus Python.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import ThreadSensitiveContext
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")

M_ARENA_MAX = -8  # glibc mallopt parameter


def limit_malloc_arenas() -> None:
    """Cap glibc's per-thread malloc arenas (`MALLOC_ARENA_MAX`, default 2 here).

    glibc gives threads up to 8 × cores arenas of their own; memory freed in one stays
    reserved by it, so a process whose threads take turns grows long after its live
    data stopped growing. MALLOC_ARENA_MAX in the environment sets another cap; 0 leaves
    glibc's default.
    """
    wanted = os.environ.get("MALLOC_ARENA_MAX") or "2"
    name = ctypes.util.find_library("c")
    if not name or not wanted.isdigit() or wanted == "0":
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(M_ARENA_MAX, int(wanted))
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return


class PooledThreads:
    """Run every HTTP request's sync code on one of `threads` long-lived threads.

    A request waits for a free thread (in the event loop, costing nothing) rather than
    getting a new one; all its sync parts run on the thread it borrowed, as Django's
    thread-sensitive rule requires.
    """

    def __init__(self, app: Any, threads: int) -> None:
        self.app = app
        self.threads = max(1, threads)
        self._free: asyncio.Queue[ThreadPoolExecutor] | None = None

    def _pool(self) -> asyncio.Queue[ThreadPoolExecutor]:
        if self._free is None:
            self._free = asyncio.Queue()
            for number in range(self.threads):
                self._free.put_nowait(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"goodwill-web-{number}")
                )
        return self._free

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pool = self._pool()
        executor = await pool.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            pool.put_nowait(executor)


def freeze_startup_objects() -> None:
    """Load the URL configuration (and with it every view module), then move everything alive
    into the collector's permanent generation (`gc.freeze`).

    A web process holds ~120,000 objects after start-up that live as long as it does; a full
    collection walked all of them, about 40-80 ms of CPU inside whichever request set it off.
    Frozen, they are never scanned again: full collections cost what the requests leave behind.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views now, not in the first request
    gc.collect()
    gc.freeze()


limit_malloc_arenas()
_django = get_asgi_application()
freeze_startup_objects()
_threads = int(os.environ.get("GOODWILL_WEB_THREADS") or 4)
# GOODWILL_WEB_THREADS=0: Django's own way (a new thread, so a new connection, per request).
application: Any = PooledThreads(_django, _threads) if _threads > 0 else _django
