"""One HTTP POST of a webhook body: signed, no redirects followed, time-limited, answer capped,
and only to a public address that was checked just before connecting (see webhooks/guard.py)."""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings

from goodwill.webhooks.guard import Refused, Target, connect, target_of
from goodwill.webhooks.signing import SIGNATURE_HEADER, sign


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: str, *, secret: str, topic: str, delivery_id: str) -> Answer:
    """POST `body` to `url`. A redirect is an answer like any other non-2xx: never followed, so
    a receiver cannot bounce a signed body to another host. The host is resolved and checked
    here, and the connection goes to the checked address, so DNS cannot switch it afterwards."""
    timeout = float(getattr(settings, "WEBHOOK_TIMEOUT", 10.0))
    limit = int(getattr(settings, "WEBHOOK_RESPONSE_LIMIT", 65536))
    parts = urlsplit(url)
    started = time.monotonic()
    try:
        target = target_of(url)
    except Refused as refused:
        return Answer(None, _ms(started), f"Refused: {refused}"[:500])
    data = body.encode()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Goodwill-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, data),
        "Goodwill-Event": topic,
        "Goodwill-Delivery": delivery_id,
    }
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(target.host, target.port, timeout=timeout)
    # http.client opens its socket through this hook: pinned, the Host header and the TLS name
    # (certificate check, SNI) stay the URL's name while the socket goes to the checked address.
    connection._create_connection = partial(_connect_pinned, target)  # type: ignore[attr-defined]
    try:
        connection.request("POST", path, body=data, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(limit).decode("utf-8", "replace")[:500]
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, _ms(started), f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
    problem = ""
    if 300 <= status < 400:
        problem = "Redirect not followed: point the webhook at the final address."
    elif not 200 <= status < 300:
        problem = f"HTTP {status}"
    return Answer(status, _ms(started), problem, excerpt)


def _connect_pinned(
    target: Target, _address: object, timeout: float | None = None, source: tuple[str, int] | None = None
) -> socket.socket:
    return connect(target, timeout, source)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
