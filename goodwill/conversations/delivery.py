"""Outbound delivery: which channel sends an agent's reply, looked up in a registry.

The domain never imports a channel. Each channel registers its transport at start-up, in its
`AppConfig.ready()`, by dotted path; the class is imported only when a reply needs it (the way
healthchecks maps each integration kind to its transport):

    # goodwill/channels/email/apps.py
    def ready(self) -> None:
        register_transport("email", "goodwill.channels.email.transport.EmailTransport")

`add_reply` asks `transport_for(conversation)`: the first registered transport that accepts the
conversation delivers the reply (in registration order); with none, the reply is only stored
(a phone call, a walk-in). The worker's `deliver_reply` task then calls `Transport.deliver`,
retried with backoff up to `REPLY_ATTEMPTS` times.
"""

from __future__ import annotations

import functools
from typing import Protocol

from django.utils.module_loading import import_string

from goodwill.conversations.models import Conversation

# Attempts to deliver one reply before it is marked as failed (the one place this is said).
# For the lead: channels/email/outbound.py still defines its own REPLY_ATTEMPTS = 8 (owned by
# another helper this session); replace it with `from goodwill.conversations.delivery import
# REPLY_ATTEMPTS` after merging.
REPLY_ATTEMPTS = 8


class Transport(Protocol):
    """What a channel provides to send replies. Instantiated without arguments."""

    name: str

    def accepts(self, conversation: Conversation) -> bool:
        """True when replies on `conversation` go out through this transport."""
        ...

    def deliver(self, message_id: int) -> None:
        """Send one reply. Idempotent (a sent reply is skipped); raise to be retried."""
        ...


_TRANSPORTS: dict[str, str] = {}  # name → dotted path, in registration order


def register_transport(name: str, path: str) -> None:
    """Make `path` (a Transport class) deliver replies under `name`; call from `AppConfig.ready()`."""
    _TRANSPORTS[name] = path
    transport.cache_clear()


def unregister_transport(name: str) -> None:
    _TRANSPORTS.pop(name, None)
    transport.cache_clear()


def registered_transports() -> dict[str, str]:
    return dict(_TRANSPORTS)


@functools.cache
def transport(name: str) -> Transport:
    """The transport registered under `name` (imported on first use); KeyError when none is."""
    return import_string(_TRANSPORTS[name])()  # type: ignore[no-any-return]


def transport_for(conversation: Conversation) -> Transport | None:
    """The transport that delivers replies on `conversation`, or None when replies are only stored."""
    for name in _TRANSPORTS:
        candidate = transport(name)
        if candidate.accepts(conversation):
            return candidate
    return None
