"""Turn raw bytes into a ParsedEmail, or say exactly why it cannot be done.

`parse_email` never raises anything but `Unparseable`: every header and part is read
with fallbacks (RFC 2047 with unknown or lying charsets, raw 8-bit headers, broken
transfer encodings), because one odd message must never stop the intake.
"""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import Message

from django.utils import timezone

from goodwill.channels.email.text import html_to_text, new_text_of
from goodwill.conversations.services import NewAttachment

logger = logging.getLogger("goodwill.email")

DEFAULT_MAX_BYTES = 40 * 1024 * 1024
# A few hundred parts is already unusual; 20,000 tiny ones in 2 MB made 20,000 attachment rows.
DEFAULT_MAX_PARTS = 500
DEFAULT_MAX_ATTACHMENTS = 100


class Unparseable(Exception):  # noqa: N818 (a verdict, not an error in our code)
    """The message cannot become a conversation message; `reason` is a Quarantine.Reason value."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Bounce:
    recipients: list[str] = field(default_factory=list)
    diagnostic: str = ""
    original_message_id: str = ""


@dataclass
class ParsedEmail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""
    new_text: str = ""
    attachments: list[NewAttachment] = field(default_factory=list)
    robot: str = ""  # "", "auto_reply", "bulk", "bounce" (EmailDetails.Robot values)
    robot_reason: str = ""
    bounce: Bounce | None = None

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, the most specific first."""
        seen: list[str] = []
        for item in [*self.in_reply_to, *reversed(self.references)]:
            if item and item not in seen:
                seen.append(item)
        return seen


# --- small decoding helpers ------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text: the declared charset if it works, then UTF-8, then Windows-1252."""
    candidates = []
    if charset:
        charset = charset.strip().strip('"').lower()
        # "us-ascii" is the default label and often a lie; UTF-8 is a superset.
        if charset in ("us-ascii", "ascii", "ansi_x3.4-1968"):
            charset = "utf-8"
        candidates.append(charset)
    candidates += ["utf-8", "cp1252"]
    for candidate in candidates:
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")


_SURROGATE_RE = re.compile("[\udc80-\udcff]")


def _fix_surrogates(value: str) -> str:
    """Raw 8-bit bytes in headers arrive as surrogate escapes; decode them properly."""
    if not _SURROGATE_RE.search(value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")


def _decode_rfc2047(raw: str) -> str:
    pieces = []
    try:
        parts = email.header.decode_header(raw)
    except Exception:
        return _fix_surrogates(raw)
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            try:
                pieces.append(decode_bytes(chunk, charset))
            except Exception:
                pieces.append(chunk.decode("latin-1"))
        else:
            pieces.append(chunk)
    return _fix_surrogates("".join(pieces))


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _clean_header_text(value: str) -> str:
    value = value.replace("\r", "").replace("\n", "").replace("\t", " ")
    if not value.isprintable():
        value = _CONTROL_RE.sub("", value)
        value = "".join(ch for ch in value if ch.isprintable() or ch == " ")
    return value.strip()


_UNFOLD_RE = re.compile(r"\r?\n(?=[ \t])")


def raw_header_values(msg: Message, name: str) -> list[str]:
    """Every value of a header as it arrived (unfolded; 8-bit bytes as surrogate escapes)."""
    index = getattr(msg, "_goodwill_headers", None)
    if index is None:
        index = {}
        for key, value in getattr(msg, "_headers", []):
            text = str(value)
            if "\n" in text:
                text = _UNFOLD_RE.sub("", text)
            index.setdefault(key.lower(), []).append(text)
        msg._goodwill_headers = index  # type: ignore[attr-defined]
    return index.get(name.lower(), [])


def decode_header_value(value: str) -> str:
    text = _decode_rfc2047(value) if "=?" in value else _fix_surrogates(value)
    return _clean_header_text(text)


def header_text(msg: Message, name: str) -> str:
    """One header as text, decoded; never raises."""
    values = raw_header_values(msg, name)
    return decode_header_value(values[0]) if values else ""


def header_all(msg: Message, name: str) -> list[str]:
    return [decode_header_value(value) for value in raw_header_values(msg, name)]


_MSGID_RE = re.compile(r"<([^<>\s]+)>")


def message_ids(value: str) -> list[str]:
    """Message-IDs in a header, without angle brackets; bare ids are accepted too."""
    found = _MSGID_RE.findall(value)
    if not found:
        found = [token.strip("<>,;") for token in value.split() if "@" in token]
    return [item[:490] for item in found if item]


def normalise_message_id(value: str) -> str:
    ids = message_ids(value)
    return ids[0] if ids else ""


def addresses(values: list[str]) -> list[tuple[str, str]]:
    """(name, lower-case address) pairs from raw address headers; junk entries are dropped.

    Parsed before decoding, so a decoded display name with a comma cannot split an address.
    """
    result = []
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:
        return []
    for name, address in pairs:
        address = _fix_surrogates(address).strip().strip("<>").lower()
        if "@" in address and " " not in address and len(address) <= 254 and address.isprintable():
            result.append((decode_header_value(name), address))
    return result


# --- robots -------------------------------------------------------------------------------

_BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailer_daemon)@", re.IGNORECASE)
_BOUNCE_SUBJECTS = re.compile(
    r"(undeliver|delivery status notification \(failure\)|returned mail|mail delivery failed|"
    r"delivery failure|failure notice|non.?delivery)",
    re.IGNORECASE,
)


def classify_robot(msg: Message, from_address: str, subject: str) -> tuple[str, str]:
    """("bounce" | "auto_reply" | "bulk" | "", reason): never auto-acknowledge anything but ""."""
    content_type = header_text(msg, "Content-Type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return "bounce", "multipart/report delivery-status"
    if _BOUNCE_SENDERS.match(from_address) and (
        _BOUNCE_SUBJECTS.search(subject) or "multipart/report" in content_type
    ):
        return "bounce", f"from {from_address}"
    auto_submitted = header_text(msg, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return ("auto_reply" if "replied" in auto_submitted else "bulk"), f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if header_text(msg, name):
            return "auto_reply", name
    if header_text(msg, "X-Autogenerated").lower() == "reply":
        return "auto_reply", "X-Autogenerated"
    precedence = header_text(msg, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return ("auto_reply" if precedence == "auto_reply" else "bulk"), f"Precedence: {precedence}"
    for name in ("List-Id", "List-Unsubscribe", "List-Post", "X-Mailing-List"):
        if header_text(msg, name):
            return "bulk", name
    if _BOUNCE_SENDERS.match(from_address):
        return "bulk", f"from {from_address}"
    return "", ""


def _bounce_details(msg: Message, text: str) -> Bounce:
    bounce = Bounce()
    for part in _walk(msg):
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            lines: list[str] = []
            for sub in part.get_payload() if part.is_multipart() else []:
                lines += [f"{key}: {value}" for key, value in sub.items()]
            if not lines:
                payload = part.get_payload(decode=True) or b""
                lines = decode_bytes(payload, "utf-8").splitlines()
            for line in lines:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key in ("final-recipient", "original-recipient"):
                    address = value.split(";")[-1].strip().strip("<>").lower()
                    if "@" in address and address not in bounce.recipients:
                        bounce.recipients.append(address)
                elif key == "diagnostic-code" and not bounce.diagnostic:
                    bounce.diagnostic = value.split(";")[-1].strip()[:500]
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not bounce.original_message_id:
            inner = part.get_payload(0) if part.is_multipart() else None
            if inner is not None:
                bounce.original_message_id = normalise_message_id(header_text(inner, "Message-ID"))
            else:
                body = decode_bytes(part.get_payload(decode=True) or b"", "utf-8")
                found = re.search(r"^Message-ID:\s*(<[^>]+>)", body, re.IGNORECASE | re.MULTILINE)
                if found:
                    bounce.original_message_id = normalise_message_id(found.group(1))
    for value in header_all(msg, "X-Failed-Recipients"):
        for _name, address in addresses([value]):
            if address not in bounce.recipients:
                bounce.recipients.append(address)
    if not bounce.original_message_id:
        found = re.search(r"^\s*Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
        if found:
            bounce.original_message_id = normalise_message_id(found.group(1))
    return bounce


# --- bodies and attachments ---------------------------------------------------------------


def _walk(msg: Message, depth: int = 0):  # type: ignore[no-untyped-def]
    """Like Message.walk(), but bounded (hostile nesting) and without entering attached messages."""
    yield msg
    if depth > 30 or not msg.is_multipart():
        return
    if msg.get_content_maintype() == "message" and msg.get_content_type() != "message/delivery-status":
        return
    payload = msg.get_payload()
    if isinstance(payload, list):
        for part in payload:
            if isinstance(part, Message):
                yield from _walk(part, depth + 1)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if not name:
        try:
            param = part.get_param("name", header="content-type") or ""
            name = email.utils.collapse_rfc2231_value(param) if isinstance(param, tuple) else str(param)
        except Exception:
            name = ""
    name = _decode_rfc2047(str(name)) if "=?" in str(name) else _fix_surrogates(str(name))
    name = re.sub(r"[\\/\x00-\x1f]", "_", name).strip().strip(".")
    return name[-200:]


_EXTENSIONS = {
    "text/calendar": "invite.ics",
    "message/rfc822": "message.eml",
    "text/html": "part.html",
    "text/plain": "part.txt",
    "image/png": "image.png",
    "image/jpeg": "image.jpg",
    "image/gif": "image.gif",
    "application/pdf": "document.pdf",
    "message/delivery-status": "delivery-status.txt",
    "text/rfc822-headers": "headers.txt",
}


def _payload_bytes(part: Message) -> bytes:
    if part.get_content_maintype() == "message" and part.is_multipart():
        inner = part.get_payload(0)
        try:
            return inner.as_bytes(policy=policy.compat32) if isinstance(inner, Message) else b""
        except Exception:
            return str(inner).encode("utf-8", "replace")
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


_BASE64_RE = re.compile(r"^[A-Za-z0-9+/=\s]*$")


def _not_really_base64(part: Message) -> bool:
    """Text labelled base64 that is plainly not: show it as written rather than as noise."""
    try:
        if str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "base64":
            return False
        payload = part.get_payload()
        return isinstance(payload, str) and not _BASE64_RE.match(payload)
    except Exception:
        return False


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _tnef_parts(data: bytes) -> tuple[str, list[NewAttachment]] | None:
    """Unpack winmail.dat when tnefparse is installed; None keeps the original attachment."""
    try:
        from tnefparse import TNEF
    except ImportError:
        return None
    try:
        tnef = TNEF(data)
        body = ""
        if getattr(tnef, "body", None):
            body = decode_bytes(tnef.body, "cp1252") if isinstance(tnef.body, bytes) else str(tnef.body)
        files = [
            NewAttachment(filename=(item.long_filename() or item.name or "attachment"), content=item.data)
            for item in tnef.attachments
            if item.data
        ]
        return body, files
    except Exception:
        logger.info("could not unpack a TNEF attachment", exc_info=True)
        return None


def _bodies(
    msg: Message, *, max_parts: int = DEFAULT_MAX_PARTS, max_attachments: int = DEFAULT_MAX_ATTACHMENTS
) -> tuple[str, str, list[NewAttachment]]:
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[NewAttachment] = []
    for count, part in enumerate(_walk(msg), start=1):
        if count > max_parts:
            raise Unparseable("parts", f"more than {max_parts} MIME parts")
        if len(attachments) > max_attachments:
            raise Unparseable("parts", f"more than {max_attachments} attachments")
        if part.is_multipart() and part.get_content_maintype() != "message":
            continue
        ctype = part.get_content_type()
        try:
            disposition = (part.get_content_disposition() or "").lower()
        except Exception:
            disposition = ""
        filename = _filename(part)
        content_id = normalise_message_id(header_text(part, "Content-ID")) or header_text(
            part, "Content-ID"
        ).strip("<>")
        is_body = (
            ctype in ("text/plain", "text/html")
            and disposition != "attachment"
            and not (filename and disposition != "inline")
        )
        data = _payload_bytes(part)
        if is_body:
            text = decode_bytes(data, _charset(part))
            if _not_really_base64(part):
                raw_payload = part.get_payload()
                text = raw_payload if isinstance(raw_payload, str) else text
            (htmls if ctype == "text/html" else texts).append(text)
            continue
        if (
            part is msg
            and ctype not in ("application/ms-tnef",)
            and part.get_content_maintype() in ("multipart",)
        ):
            continue
        if ctype == "application/ms-tnef" or filename.lower() == "winmail.dat":
            unpacked = _tnef_parts(data)
            if unpacked is not None:
                body, files = unpacked
                if body:
                    texts.append(body)
                attachments.extend(files)
                continue
        if not data and ctype.startswith("multipart/"):
            continue
        attachments.append(
            NewAttachment(
                filename=filename or _EXTENSIONS.get(ctype, "attachment.bin"),
                content=data,
                content_type=ctype[:150],
                content_id=content_id[:250] if content_id else "",
                is_inline=bool(content_id) and (disposition != "attachment"),
            )
        )
    if len(attachments) > max_attachments:
        raise Unparseable("parts", f"{len(attachments)} attachments, the limit is {max_attachments}")
    text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    html = htmls[0] if htmls else ""
    return text, html, attachments


# --- the entry point ----------------------------------------------------------------------


def identity_key(parsed: ParsedEmail | None, raw: bytes) -> str:
    """The de-duplication key: the Message-ID when there is one, else the hash of the bytes."""
    if parsed is not None and parsed.message_id:
        return "mid:" + hashlib.sha256(parsed.message_id.encode("utf-8", "surrogateescape")).hexdigest()
    return "raw:" + hashlib.sha256(raw).hexdigest()


def _date(msg: Message) -> datetime | None:
    value = header_text(msg, "Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except Exception:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1990:
        return None
    return min(parsed, timezone.now())


def parse_email(
    raw: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_parts: int = DEFAULT_MAX_PARTS,
    max_attachments: int = DEFAULT_MAX_ATTACHMENTS,
) -> ParsedEmail:
    """The message, or `Unparseable` with a Quarantine.Reason value (too big, too many parts…)."""
    if len(raw) > max_bytes:
        raise Unparseable("oversized", f"{len(raw)} bytes, the limit is {max_bytes}")
    if not raw.strip():
        raise Unparseable("garbage", "empty message")
    try:
        # compat32 parses several times faster than policy.default; headers are decoded here instead.
        msg = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as error:
        raise Unparseable("garbage", f"the MIME structure cannot be read: {error}") from error
    if not msg.keys():
        raise Unparseable("garbage", "no header lines")
    try:
        return _parse(msg, max_parts=max_parts, max_attachments=max_attachments)
    except Unparseable:
        raise
    except RecursionError as error:
        raise Unparseable("garbage", "MIME parts nested too deeply") from error
    except Exception as error:
        logger.warning("unexpected parse failure", exc_info=True)
        raise Unparseable("garbage", f"{type(error).__name__}: {error}") from error


def _parse(msg: Message, *, max_parts: int, max_attachments: int) -> ParsedEmail:
    parsed = ParsedEmail()
    senders = addresses(raw_header_values(msg, "From")) or addresses(raw_header_values(msg, "Sender"))
    if not senders:
        senders = addresses(raw_header_values(msg, "Return-Path"))
    if not senders:
        shown = header_text(msg, "From")
        raise Unparseable("no_from", f"From: {shown!r}" if shown else "no From header")
    parsed.from_name, parsed.from_address = senders[0]
    parsed.from_name = parsed.from_name[:200]
    parsed.subject = header_text(msg, "Subject")[:500]
    parsed.message_id = normalise_message_id(header_text(msg, "Message-ID"))
    parsed.in_reply_to = message_ids(header_text(msg, "In-Reply-To"))[:5]
    parsed.references = message_ids(" ".join(header_all(msg, "References")))[-50:]
    parsed.to = [address for _n, address in addresses(raw_header_values(msg, "To"))][:100]
    parsed.cc = [address for _n, address in addresses(raw_header_values(msg, "Cc"))][:100]
    parsed.delivered_to = [
        address
        for _n, address in addresses(
            raw_header_values(msg, "Delivered-To") + raw_header_values(msg, "X-Original-To")
        )
    ][:20]
    reply_to = addresses(raw_header_values(msg, "Reply-To"))
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.date = _date(msg)
    parsed.text, parsed.html, parsed.attachments = _bodies(
        msg, max_parts=max_parts, max_attachments=max_attachments
    )
    if not parsed.text and parsed.html:
        parsed.text = html_to_text(parsed.html)
    parsed.text = parsed.text.replace("\x00", "")
    parsed.html = parsed.html.replace("\x00", "")
    parsed.robot, parsed.robot_reason = classify_robot(msg, parsed.from_address, parsed.subject)
    if parsed.robot == "bounce":
        parsed.bounce = _bounce_details(msg, parsed.text)
        parsed.new_text = parsed.text.strip()
    else:
        parsed.new_text = new_text_of(parsed.text)
    return parsed
