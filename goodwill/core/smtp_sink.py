"""A local SMTP sink that can hold its answer, for crash tests and the load benchmark.

`GatedSink(hold="RCPT")` keeps the first delivery waiting before it accepts a recipient
(nothing stored: a sender killed then never got a 250). `hold="DATA"` stores the first
message and then waits before answering 250: the "remote accepted, sender never knew"
window. Loopback only.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email import policy
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class GatedSink:
    """An aiosmtpd server keeping every message; optionally holds the first delivery until released."""

    def __init__(self, *, hold: str = "", port: int = 0, delay: float = 0.0) -> None:
        from aiosmtpd.controller import Controller

        self.hold = hold.upper()
        self.delay = delay
        self.messages: list[bytes] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._held = False
        self._lock = threading.Lock()
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> GatedSink:
        from aiosmtpd.controller import Controller

        for _ in range(5):
            try:
                self.controller.start()
                return self
            except OSError:
                # The free port was taken between choosing and binding it (busy machine): another.
                self.port = free_port()
                self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.controller.stop()

    async def _maybe_hold(self, stage: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold != stage:
            return
        with self._lock:
            first, self._held = not self._held, True
        if not first:
            return
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        await self._maybe_hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.messages.append(bytes(envelope.original_content or envelope.content))
        await self._maybe_hold("DATA")
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        with self._lock:
            raw = list(self.messages)
        return [email.message_from_bytes(item, policy=policy.default) for item in raw]  # type: ignore[misc]

    def message_ids(self) -> list[str]:
        return [str(item["Message-ID"]).strip("<>") for item in self.parsed()]
