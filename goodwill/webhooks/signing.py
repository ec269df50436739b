"""Signing webhook bodies, and checking a signature the way a receiver should.

Every POST carries ``Goodwill-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256 with the webhook's secret over ``f"{t}.".encode() + body`` (the raw body bytes).
A receiver recomputes it, compares in constant time, and refuses a ``t`` older (or newer) than
its replay window (`REPLAY_WINDOW`, five minutes, is the recommendation); it also drops a
``Goodwill-Delivery`` id it has seen (retries resend the same body, signed again with a new t).
"""

from __future__ import annotations

import hashlib
import hmac
import time

REPLAY_WINDOW = 300
SIGNATURE_HEADER = "Goodwill-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The Goodwill-Signature header value for `body` at `timestamp` (now by default)."""
    moment = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def verify(
    secret: str, body: bytes, header: str, *, now: float | None = None, window: int = REPLAY_WINDOW
) -> bool:
    """True when `header` signs `body` with `secret` and its time is within `window` seconds of now."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        moment = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - moment) > window:
        return False
    expected = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))
