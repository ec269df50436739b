"""Flesch reading ease, with syllables counted by vowel groups.

textstat 0.7 needs NLTK's CMU dictionary, which it downloads at run time, so it cannot be used
offline. The vowel-group count is the usual approximation (within a syllable or so per long
word); the score is only compared with a coarse threshold, so that is enough.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")
_SENTENCE_END_RE = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")
_VOWEL_GROUPS_RE = re.compile(r"[aeiouy]+")


@lru_cache(maxsize=20000)
def syllables(word: str) -> int:
    word = word.lower().strip("'-")
    count = len(_VOWEL_GROUPS_RE.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(count, 1)


def flesch_reading_ease(text: str) -> tuple[float, int]:
    """(score, word count). 60-70 is plain English; below 30 is hard, academic prose."""
    words = _WORD_RE.findall(text)
    if not words:
        return 100.0, 0
    sentences = max(1, len([s for s in _SENTENCE_END_RE.split(text) if _WORD_RE.search(s)]))
    total_syllables = sum(syllables(w) for w in words)
    score = 206.835 - 1.015 * (len(words) / sentences) - 84.6 * (total_syllables / len(words))
    return round(score, 1), len(words)
