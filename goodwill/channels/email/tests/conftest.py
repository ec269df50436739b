"""Fixtures for the email channel: the message corpus and an SMTP sink on loopback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

MESSAGES = Path(__file__).parent / "messages"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def eml():  # type: ignore[no-untyped-def]
    """Bytes of a test message from messages/, with optional text replacements."""

    def load(name: str, **replace: str) -> bytes:
        data = (MESSAGES / name).read_bytes()
        for old, new in replace.items():
            data = data.replace(old.encode(), new.encode())
        return data

    return load


class Sink:
    """An aiosmtpd server that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], bytes]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"

    def parsed(self, index: int = -1):  # type: ignore[no-untyped-def]
        import email
        from email import policy

        return email.message_from_bytes(self.messages[index][2], policy=policy.default)


@pytest.fixture
def smtp_sink(settings):  # type: ignore[no-untyped-def]
    sink = Sink()
    sink.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield sink
    sink.controller.stop()
