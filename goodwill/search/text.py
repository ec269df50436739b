"""Words as the indexes see them, and snippets with the matches marked."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.search.query import ParsedQuery

MARK_START, MARK_END = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)
_COMBINING = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """Words as the indexes see them: lower case, accents removed (unicode61 remove_diacritics)."""
    text = text.lower()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _WORD.findall(text)


def render_snippet(raw: str | None) -> SafeString:
    """Escape everything, then turn the index's own markers into <mark> elements."""
    text = str(escape(raw or ""))
    text = _MARKED.sub(lambda match: f"<mark>{match.group(1)}</mark>", text)
    return mark_safe(text.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308


def fallback_snippet(text: str, parsed: ParsedQuery, width: int = 160) -> SafeString:
    """A snippet for text the index has no copy of: around the first matching word."""
    words = parsed.words
    lowered = text.lower()
    first = min((lowered.find(word) for word in words if word in lowered), default=-1)
    start = max(first - width // 3, 0) if first >= 0 else 0
    piece = text[start : start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    if words:
        pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\b", re.I)
        piece = pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_END}", piece)
    return render_snippet(prefix + piece + suffix)


# --- messages -----------------------------------------------------------------------------
