"""A real HTTP receiver on 127.0.0.1 that checks signatures with the README's own code."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from goodwill.automation.tests.conftest import opened, worker

__all__ = ["opened", "worker"]

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_verifier() -> Any:
    """The `verify_goodwill_signature` function exactly as README.md prints it."""
    text = README.read_text()
    section = text[text.index("## Webhooks") :]
    code = re.search(r"```python\n(.*?def verify_goodwill_signature.*?)```", section, re.S)
    assert code, "README's Webhooks section has no verify_goodwill_signature example"
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own README
    return namespace["verify_goodwill_signature"]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)  # next answers, then 200
    hold: threading.Event | None = None  # when set: wait on it before answering (timeouts)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    # Webhooks refuse loopback by default (webhooks/guard.py); this receiver is allowed explicitly,
    # as an operator allows an internal service with GOODWILL_WEBHOOK_ALLOW_PRIVATE.
    settings.WEBHOOK_ALLOW_PRIVATE = ["127.0.0.1/32"]
    verify = readme_verifier()
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            valid = verify(state.secret, body, self.headers.get("Goodwill-Signature", ""))
            state.requests.append(Received(dict(self.headers.items()), body, valid))
            state.arrived.set()
            if state.hold is not None:
                state.hold.wait(10)
            status, headers, payload = state.answers.pop(0) if state.answers else (200, {}, b"ok")
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/goodwill"
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
