"""The new part of an inbound message: quoted history and signature removed.

Mail that arrives through the email channel is already cut by the channel; this cut is for
every other source (portal, API, re-scoring old rows) and is cheap when there is nothing to cut.
"""

from __future__ import annotations

import logging
import re
from typing import Any

logger = logging.getLogger(__name__)

_REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl"]
_reply_regexes: dict[str, Any] = {}

_QUOTE_HEADER_RE = re.compile(
    r"^(?:>?\s*On .{0,200}wrote:|Am .{0,200}schrieb.{0,80}:|Le .{0,200}a écrit\s?:|El .{0,200}escribió:|"
    r"-{2,} ?Original Message ?-{2,}|-{2,} ?Forwarded message ?-{2,}|From: .+\n(?:Sent|Date): .+|_{10,})\s*$",
    re.MULTILINE | re.IGNORECASE,
)
_SIGNATURE_RE = re.compile(
    r"^(?:-- ?|Sent from my \w+.*|Von meinem \w+ gesendet.*|Envoyé de mon \w+.*)$", re.MULTILINE
)
_CLOSING_RE = re.compile(
    r"^(?:(?:best|kind|warm|many)?\s*(?:regards|wishes)|best|cheers|thanks|thank you|many thanks|yours(?: sincerely| truly)?|"
    r"sincerely|greetings|mit freundlichen grüßen|viele grüße|lg|cordialement|bien à vous|saludos|un saludo|groeten)[,!.]?$",
    re.IGNORECASE,
)
# Cheap test for "could there be anything to cut", so one-line chat messages skip the parser.
_MAYBE_QUOTED_RE = re.compile(
    r"\n\s*>|wrote:|schrieb|a écrit|escribió|Original Message|\nFrom: |\n--|Sent from|_{10,}"
)


def _reply_body(text: str) -> str:
    from mailparser_reply.parser import EmailMessage

    if not _reply_regexes:
        prototype = EmailMessage(text="", languages=list(_REPLY_LANGUAGES))
        _reply_regexes.update(
            _header_regex=prototype.HEADER_REGEX,
            _signature_regex=prototype.SIGNATURE_REGEX,
            _disclaimers_regex=prototype.DISCLAIMERS_REGEX,
        )
    message = EmailMessage(text=text, languages=list(_REPLY_LANGUAGES), **_reply_regexes)
    replies = message.read().replies
    return str(replies[0].body) if replies else text


def new_text(text: str) -> str:
    """The text the customer wrote this time; the whole text when nothing looks quoted."""
    text = text.replace("\r\n", "\n").strip()
    if not text or ("\n" not in text and not _MAYBE_QUOTED_RE.search(text)):
        return text
    body = _reply_body_safe(text) if _MAYBE_QUOTED_RE.search(text) else text
    return _cut(body, text)


def _reply_body_safe(text: str) -> str:
    try:
        return _reply_body(text)
    except Exception:  # a parser bug must never lose the message
        logger.debug("mail-parser-reply failed", exc_info=True)
        return text


def _cut(body: str, text: str) -> str:
    for pattern in (_QUOTE_HEADER_RE, _SIGNATURE_RE):
        match = pattern.search(body)
        if match and match.start() > 0:
            body = body[: match.start()]
    lines = body.rstrip().splitlines()
    while lines and (lines[-1].lstrip().startswith(">") or not lines[-1].strip()):
        lines.pop()
    # A sign-off ("Best wishes,\nClaire") is courtesy, not content: it must not read as warmth.
    for back in range(1, min(4, len(lines)) + 1):
        if _CLOSING_RE.match(lines[-back].strip()) and all(
            len(x) < 60 for x in lines[-back + 1 :] if back > 1
        ):
            lines = lines[:-back]
            break
    return "\n".join(lines).strip() or text
