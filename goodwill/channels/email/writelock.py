"""Turns at SQLite's write lock for intake: smtpd's commits and the processor's batches.

SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in steps
of up to 100 ms before it looks again, so smtpd's small commits (each holding back up to
a few acknowledgements) could wait far longer than the processor's batch in front of
them, or lose the lock to its next batch. An exclusive `flock` on a file beside the
database queues them instead: the kernel wakes the waiter the moment the lock is free.
Only intake writers take it; anything else still meets SQLite's own busy timeout.
On PostgreSQL (or without fcntl) it does nothing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]


class _Held(threading.local):
    depth = 0


_held = _Held()


def _lock_path() -> str | None:
    if fcntl is None or connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return f"{name}-intake.lock"


@contextmanager
def intake_write_lock() -> Iterator[None]:
    """Hold the intake writers' turn (re-entrant within a thread)."""
    path = _lock_path()
    if path is None or _held.depth:
        _held.depth += 1  # a nested turn (or no lock to take) just counts
        try:
            yield
        finally:
            _held.depth -= 1
        return
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _held.depth = 1
        try:
            yield
        finally:
            _held.depth = 0
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
