"""SQLite WAL checkpoints off the request path: the worker checkpoints every second.

In WAL mode SQLite copies the log back into the database file (a checkpoint) inside the
commit that pushes the log past `wal_autocheckpoint` pages, so one request in a thousand
pages paid for copying and syncing them all (bench/README, "Automation": wall p95 +11 ms
while CPU grew under 1 ms). Goodwill raises that threshold to a safety net
(`GOODWILL_SQLITE_AUTOCHECKPOINT`, default 10,000 pages) and every `goodwill worker` on
SQLite runs a `Checkpointer` thread: a PASSIVE checkpoint every
`GOODWILL_SQLITE_CHECKPOINT_SECONDS` (default 1 s), which never blocks writers nor waits for
readers. Under steady writes no moment comes when the log is fully copied and a writer may
start it over, so once it passes 1,000 frames the thread follows with a RESTART checkpoint
that waits at most 10 ms (busy timeout): it takes the write lock only to copy the frames written
since the PASSIVE one and start the log over, or gives up and tries again next second. When
nothing was written since the last complete checkpoint (idle), a TRUNCATE checkpoint gives
the file's space back.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger("goodwill.tasks")


def checkpoint(mode: str = "PASSIVE") -> tuple[int, int, int] | None:
    """Run `PRAGMA wal_checkpoint(mode)` on this thread's connection: (busy, log frames,
    frames checkpointed), or None when the database is not SQLite."""
    if connection.vendor != "sqlite":
        return None
    if mode not in ("PASSIVE", "FULL", "RESTART", "TRUNCATE"):
        raise ValueError(f"unknown checkpoint mode {mode!r}")
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA wal_checkpoint({mode})")
        busy, log, done = cursor.fetchone()
    return int(busy), int(log), int(done)


class Checkpointer(threading.Thread):
    """A worker's checkpoint thread (SQLite only), with its own connection."""

    def __init__(self, every: float | None = None) -> None:
        super().__init__(name="goodwill-checkpoints", daemon=True)
        self.every = float(every if every is not None else settings.SQLITE_CHECKPOINT_SECONDS)
        self._stop_event = threading.Event()
        self.runs = 0
        self.truncated = 0
        self.restarted = 0

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)

    def run(self) -> None:
        last: tuple[int, int, int] | None = None
        try:
            while not self._stop_event.wait(self.every):
                close_old_connections()
                try:
                    last = self.step(last)
                except Exception:
                    logger.exception("WAL checkpoint failed; trying again in %.1f s", self.every)
        finally:
            connection.close()

    def step(self, last: tuple[int, int, int] | None) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint; then, when the log has grown long, a RESTART one that waits
        at most 10 ms (it copies the few frames written meanwhile and starts the log over), or a
        TRUNCATE one when the log is fully copied and unchanged (idle)."""
        result = checkpoint("PASSIVE")
        self.runs += 1
        if result is None:
            return None
        busy, log, done = result
        idle = not busy and log > 0 and log == done and result == last
        if idle or log >= RESTART_AFTER_FRAMES:
            # Writers append without pause under load, so no moment comes when the log is
            # fully copied and the next writer could start it over; take the write lock
            # for the last few frames instead, waiting at most 10 ms for it.
            restarted = _without_waiting("TRUNCATE" if idle else "RESTART")
            if restarted is not None and restarted[0] == 0:
                self.truncated += idle
                self.restarted += not idle
                return (0, 0, 0)
        return result


# A log this long (4 MB of 4 KB pages) is started over by the checkpoint thread, which waits
# at most this long for the write lock (and, holding it, for readers of the old log).
RESTART_AFTER_FRAMES = 1000
RESTART_WAIT_MS = 10


def _without_waiting(mode: str) -> tuple[int, int, int] | None:
    """A checkpoint that gives up (busy) rather than wait more than 10 ms for a writer or a reader."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        timeout = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout={RESTART_WAIT_MS}")
    try:
        return checkpoint(mode)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
