"""Plain text from an email: HTML turned into text, and the part of a reply that is new."""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import Any

logger = logging.getLogger("goodwill.email")


# --- HTML to text -----------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "table"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "blockquote":
            self.quote_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        data = re.sub(r"\s+", " ", data)
        if self.quote_depth:
            data = data.replace("\n", "\n> ")
            if not self.parts or self.parts[-1].endswith("\n"):
                data = "> " * self.quote_depth + data
        self.parts.append(data)


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)
    text = "".join(extractor.parts)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- what is new ------------------------------------------------------------------------

_REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl"]
_reply_regexes: dict[str, Any] = {}


def _reply_parser_message(text: str) -> Any:
    """mail-parser-reply's EmailMessage, with its regexes compiled once rather than per message."""
    from mailparser_reply.parser import EmailMessage as ReplyMessage

    if not _reply_regexes:
        prototype = ReplyMessage(text="", languages=list(_REPLY_LANGUAGES))
        _reply_regexes.update(
            _header_regex=prototype.HEADER_REGEX,
            _signature_regex=prototype.SIGNATURE_REGEX,
            _disclaimers_regex=prototype.DISCLAIMERS_REGEX,
        )
    return ReplyMessage(text=text, languages=list(_REPLY_LANGUAGES), **_reply_regexes)


_QUOTE_HEADER_RE = re.compile(
    r"^(?:On .{0,200}wrote:|Am .{0,200}schrieb.{0,80}:|Le .{0,200}a écrit\s?:|-{2,} ?Original Message ?-{2,}|"
    r"-{2,} ?Forwarded message ?-{2,}|From: .+\nSent: .+|_{10,})\s*$",
    re.MULTILINE,
)


def new_text_of(text: str) -> str:
    """The part of a reply that is new: quoted history and signature removed."""
    if not text.strip():
        return ""
    try:
        replies = _reply_parser_message(text).read().replies
        body = replies[0].body if replies else text
    except Exception:
        logger.debug("mail-parser-reply failed", exc_info=True)
        body = text
    match = _QUOTE_HEADER_RE.search(body)
    if match and match.start() > 0:
        body = body[: match.start()]
    lines = body.rstrip().splitlines()
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    body = "\n".join(lines).strip()
    # Never throw everything away: a message that is all quote keeps its text.
    return body or text.strip()
