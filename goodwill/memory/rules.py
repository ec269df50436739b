"""Offline rules that suggest a fact's category (and an important date) from the words saved.

Plain word lists, checked in order: the first category whose cue appears wins. They only
suggest; the agent sees the category and can change it before saving.
"""

from __future__ import annotations

import re
from datetime import date

from goodwill.memory.models import Fact

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?\b(?:,?\s+(\d{{4}}))?", re.I)
MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")

# (category, cues): a cue is a word or phrase matched on word boundaries, case-insensitively.
CUES: list[tuple[str, tuple[str, ...]]] = [
    (
        Fact.Category.ACCESSIBILITY,
        (
            "hard of hearing",
            "deaf",
            "blind",
            "wheelchair",
            "screen reader",
            "low vision",
            "visually impaired",
            "hearing aid",
            "dyslexia",
            "dyslexic",
            "large print",
            "sign language",
            "mobility",
            "accessible",
            "accessibility",
            "captions",
        ),
    ),
    (
        Fact.Category.DATE,
        ("birthday", "anniversary", "wedding", "graduation", "due date", "born on", "retirement", "retires"),
    ),
    (
        Fact.Category.COMMUNICATION,
        (
            "call me",
            "prefers email",
            "prefers phone",
            "prefers a call",
            "by phone",
            "by email",
            "text me",
            "rather talk",
            "rather write",
            "don't call",
            "do not call",
            "short answers",
            "formal",
            "informal",
            "in the morning",
            "in the evening",
            "speaks",
            "language",
        ),
    ),
    (
        Fact.Category.DISLIKES,
        (
            "dislikes",
            "dislike",
            "hates",
            "hate",
            "can't stand",
            "cannot stand",
            "doesn't like",
            "does not like",
            "don't like",
            "not a fan",
            "allergic",
            "allergy",
        ),
    ),
    (
        Fact.Category.FAMILY,
        (
            "daughter",
            "son",
            "wife",
            "husband",
            "partner",
            "children",
            "child",
            "kids",
            "baby",
            "mother",
            "mom",
            "mum",
            "father",
            "dad",
            "sister",
            "brother",
            "grandson",
            "granddaughter",
            "grandchildren",
            "grandmother",
            "grandfather",
            "family",
            "married",
            "fiancé",
            "fiance",
            "twins",
            "niece",
            "nephew",
            "dog",
            "cat",
            "puppy",
        ),
    ),
    (
        Fact.Category.LIKES,
        (
            "likes",
            "like",
            "loves",
            "love",
            "prefers",
            "prefer",
            "favourite",
            "favorite",
            "enjoys",
            "fan of",
            "big fan",
        ),
    ),
    (
        Fact.Category.INTERESTS,
        (
            "hobby",
            "hobbies",
            "plays",
            "playing",
            "golf",
            "tennis",
            "football",
            "soccer",
            "running",
            "marathon",
            "cycling",
            "hiking",
            "climbing",
            "sailing",
            "fishing",
            "garden",
            "gardening",
            "cooking",
            "baking",
            "reading",
            "books",
            "music",
            "piano",
            "guitar",
            "choir",
            "painting",
            "photography",
            "travel",
            "travelling",
            "traveling",
            "chess",
            "yoga",
            "skiing",
            "collects",
            "volunteer",
            "interested in",
        ),
    ),
]
_PATTERNS = [
    (category, re.compile(r"\b(?:" + "|".join(re.escape(cue) for cue in cues) + r")\b", re.I))
    for category, cues in CUES
]


def find_date(text: str, *, today: date) -> date | None:
    """The first calendar date in `text` ("12 May", "May 12th, 2027", "2027-05-12"), if any.

    Without a year, the next such day from `today` (a birthday recurs yearly anyway)."""
    for pattern, parts in ((ISO_DATE, "ymd"), (DAY_MONTH, "dmy"), (MONTH_DAY, "mdy")):
        for match in pattern.finditer(text):
            values = dict(zip(parts, match.groups(), strict=True))
            try:
                month = int(values["m"]) if values["m"].isdigit() else MONTHS[values["m"].lower().rstrip(".")]
                day = int(values["d"])
                if values.get("y"):
                    return date(int(values["y"]), month, day)
                found = date(today.year, month, day)
                return found if found >= today else date(today.year + 1, month, day)
            except (ValueError, KeyError):
                continue
    return None


def suggest_category(text: str, *, today: date | None = None) -> str:
    """The category to offer for `text`; a date in it means an important date."""
    for category, pattern in _PATTERNS:
        if pattern.search(text):
            # A calendar date makes it an important date ("daughter marries on 12 May"), unless
            # it is about how to talk to the customer at all.
            if category not in (Fact.Category.ACCESSIBILITY, Fact.Category.COMMUNICATION) and _has_date(
                text, today
            ):
                return Fact.Category.DATE
            return category
    if _has_date(text, today):
        return Fact.Category.DATE
    return Fact.Category.OTHER


def _has_date(text: str, today: date | None) -> bool:
    return find_date(text, today=today or date(2000, 1, 1)) is not None
