"""Processing of stored mail in a process of its own, beside `goodwill smtpd`.

The SMTP process stores and acknowledges; this loop parses, threads and writes what it
stored (`process_pending`), on the machine's other core. Both write to the same database:
SQLite queues them (IMMEDIATE transactions, a busy timeout), so each batch here is kept
small enough that an acknowledgement waits for it only briefly. `process_raw` is safe to
run twice at once, so a message is never processed twice, even beside another processor.

`ProcessorProcess` starts `goodwill process-email --parent-pid …` and restarts it if it
dies; the child stops on SIGTERM/SIGINT after its current batch, and on its own when the
parent disappears, even after a kill -9 (PR_SET_PDEATHSIG on Linux, and a parent check
every loop everywhere).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from django.db import connection

from goodwill.channels.email.intake import process_pending

logger = logging.getLogger("goodwill.email.processor")

PROCESS_BATCH = 100  # messages per transaction: ~0.1 s of SQLite's write lock at most
IDLE_SLEEP = 0.1  # seconds to wait after catching up


def die_with_parent() -> None:
    """Ask Linux to send SIGTERM when the parent exits; elsewhere the loop's parent check suffices."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        logger.warning("could not ask to be stopped with the parent; relying on the parent check")


def run_processor(
    stop: threading.Event,
    *,
    parent_pid: int | None = None,
    batch: int = PROCESS_BATCH,
    idle_sleep: float = IDLE_SLEEP,
) -> None:
    """Process pending mail until `stop` is set or the parent process is gone."""
    try:
        while not stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                logger.warning("the smtpd process %s is gone; the processor stops", parent_pid)
                return
            try:
                done = process_pending(limit=batch)
            except Exception:
                logger.exception("processing stored mail failed; retrying in a second")
                connection.close()  # a broken connection is opened afresh
                stop.wait(1)
                continue
            if done < batch:
                # Caught up: let the next batch gather (fewer, larger transactions cost less
                # CPU each) and leave the write lock to smtpd's commits meanwhile.
                stop.wait(idle_sleep)
    finally:
        connection.close()


class ProcessorProcess:
    """The child process that runs `goodwill process-email` for an smtpd; restarted if it dies.

    Start and check it from the main thread: Linux ties the child's PDEATHSIG to the thread
    that started it.
    """

    def __init__(self, *, batch: int = PROCESS_BATCH, stop_timeout: float = 30) -> None:
        self.batch = batch
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._started_at = 0.0
        self._restart_at = 0.0

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "goodwill",
            "process-email",
            "--parent-pid",
            str(os.getpid()),
            "--batch",
            str(self.batch),
        ]

    def start(self) -> None:
        # The child inherits the environment (DJANGO_SETTINGS_MODULE, GOODWILL_*) and stderr.
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL)
        self._started_at = time.monotonic()
        logger.info("mail processor started (pid %s)", self.process.pid)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def check(self) -> bool:
        """Restart the processor if it died (later, if it died right after starting); True if it is running."""
        if self.process is None:
            return False
        if self.process.poll() is None:
            return True
        if self._restart_at == 0.0:
            lived = time.monotonic() - self._started_at
            self.restarts += 1
            # A processor that dies at start up is not restarted in a tight loop.
            delay = 0.0 if lived >= 10 else min(30.0, 2.0 ** min(self.restarts, 5))
            logger.error(
                "mail processor (pid %s) exited with %s after %.1f s; restarting it in %.0f s",
                self.process.pid,
                self.process.returncode,
                lived,
                delay,
            )
            self._restart_at = time.monotonic() + delay
        if time.monotonic() >= self._restart_at:
            self._restart_at = 0.0
            self.start()
            return True
        return False

    def stop(self) -> None:
        """SIGTERM, then wait (so its CPU counts as ours); kill it if it does not stop in time."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                logger.error("mail processor (pid %s) did not stop; killing it", self.process.pid)
                self.process.kill()
                self.process.wait()
        self.process = None
