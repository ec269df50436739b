"""Which language a message is in, among the few the team writes in.

lingua is built for the covered languages plus a handful of neighbours ("sentinels"), so a
Polish or Swedish message is named as such instead of being forced into the nearest covered
language. Non-Latin scripts are told by their letters alone. Plain English, by far the most
common case, is recognised from its function words without asking lingua at all.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

COVERED = ("en", "de", "fr", "es", "nl", "it", "pt")
_SENTINELS = ("pl", "cs", "sv", "da", "tr", "ro", "fi", "hu", "id")

NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "nl": "Dutch", "it": "Italian",
    "pt": "Portuguese", "pl": "Polish", "cs": "Czech", "sv": "Swedish", "da": "Danish", "tr": "Turkish",
    "ro": "Romanian", "fi": "Finnish", "hu": "Hungarian", "id": "Indonesian",
}  # fmt: skip

_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_EN_FUNCTION_WORDS_TEXT = """a about after again all am an and any are as at be been before but by can can't could did didn't do
    does doesn't don't for from get got had has hasn't have haven't he her here him his how i i'm i've if in
    is isn't it it's its just me my no nobody not now of on one or our out please so still than thanks that
    the their them then there they this to too up us was wasn't we we're what when where which who why will
    with won't would you you're your yet any anyone thank sorry help"""
_EN_FUNCTION_WORDS = frozenset(_EN_FUNCTION_WORDS_TEXT.split())
# Short replies that are English but too short for a model to tell.
_EN_SHORT_TEXT = """ok okay fine great thanks thx cheers nope yep yes sure perfect cool brilliant lovely awesome
    update news hello hi hey drop dead wtf lol ugh pfff broken still nothing"""
_EN_SHORT = frozenset(_EN_SHORT_TEXT.split())

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in COVERED + _SENTINELS]
    # Low-accuracy mode (trigrams only): measured here it loads in 5 s into 41 MB, where the
    # high-accuracy models took 70 s and 205 MB for the seven covered languages alone.
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_minimum_relative_distance(0.05)
    return builder.with_low_accuracy_mode().build()


def _script_of(text: str) -> str | None:
    """'latin', or the name of another script when most letters are in it."""
    if text.isascii():
        return "latin" if any(c.isalpha() for c in text) else None
    latin = other = 0
    other_name = ""
    for ch in text:
        if not ch.isalpha():
            continue
        if ord(ch) < 0x250:
            latin += 1
        else:
            other += 1
            if not other_name:
                other_name = unicodedata.name(ch, "UNKNOWN").split(" ")[0].title()
    if latin + other == 0:
        return None
    return "latin" if latin >= other else other_name


def detect_language(text: str) -> tuple[str | None, str]:
    """(ISO 639-1 code or None, a word for the reason when it is not covered)."""
    script = _script_of(text)
    if script is None:
        return None, "no words"
    if script != "latin":
        return None, f"{script} script"
    words = [w.lower() for w in _WORD_RE.findall(text)]
    function = sum(1 for w in words if w in _EN_FUNCTION_WORDS)
    if function >= 2 and function * 4 >= len(words):
        return "en", ""
    if words and len(words) <= 4 and all(w in _EN_SHORT or w in _EN_FUNCTION_WORDS for w in words):
        return "en", ""
    with _lock:  # lingua's detector is shared; keep calls serial in threaded workers
        detector = _detector()
        values = detector.compute_language_confidence_values(text[:600])
    if not values:
        return None, "too short or mixed to tell"
    top = values[0]
    code = top.language.iso_code_639_1.name.lower()
    margin = top.value - (values[1].value if len(values) > 1 else 0.0)
    letters = sum(len(w) for w in words)
    if margin < 0.05 or (letters < 40 and code not in COVERED):
        # Too close to call, or a short text that the trigram models put outside the covered
        # languages (they mistake short Spanish for Swedish): not named rather than guessed.
        return None, "too short or mixed to tell"
    return code, NAMES.get(code, code)
