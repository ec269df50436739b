"""SQLite WAL checkpoints off the request path: the worker checkpoints every second.

In WAL mode SQLite copies the log back into the database file (a checkpoint) inside the
commit that pushes the log past `wal_autocheckpoint` pages, so one request in a thousand
pages paid for copying and syncing them all (bench/README, "Automation": wall p95 +11 ms
while CPU grew under 1 ms). Goodwill raises that threshold to a safety net
(`GOODWILL_SQLITE_AUTOCHECKPOINT`, default 10,000 pages) and every `goodwill worker` on
SQLite runs a `Checkpointer` thread: a PASSIVE checkpoint every
`GOODWILL_SQLITE_CHECKPOINT_SECONDS` (default 1 s), which never blocks writers nor waits for
readers; after a complete one the next writer starts the log from its beginning, so it stays
the size of a second or two of writes. When nothing was written since the last complete
checkpoint (idle), a TRUNCATE checkpoint gives the file's space back.
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
        """One PASSIVE checkpoint; a TRUNCATE one when the log is fully copied and unchanged."""
        result = checkpoint("PASSIVE")
        self.runs += 1
        if result is None:
            return None
        busy, log, done = result
        if not busy and log > 0 and log == done and result == last:
            truncated = checkpoint("TRUNCATE")
            if truncated is not None and truncated[0] == 0:
                self.truncated += 1
                return (0, 0, 0)
        return result
