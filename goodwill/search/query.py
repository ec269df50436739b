"""The search box's little language, the same on every database:

    words           all of them must occur (any order)
    "a phrase"      these words next to each other, in this order
    -word, -"a b"   must not occur
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 12
MAX_TERM_LENGTH = 200
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORDISH = re.compile(r"\w")


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]
    excluded: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def fts5(self) -> str:
        """An FTS5 MATCH expression; every term quoted, so nothing is read as an operator."""
        positive = " ".join(_fts5_string(term) for term in self.terms)
        negative = "".join(f" NOT {_fts5_string(term)}" for term in self.excluded)
        return f"({positive}){negative}" if negative else positive

    @property
    def words(self) -> list[str]:
        """Lower-cased words of the positive terms, for highlighting text the index did not mark."""
        return [word.lower() for term in self.terms for word in re.findall(r"\w+", term)]


def _fts5_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def parse_query(raw: str) -> ParsedQuery:
    terms: list[str] = []
    excluded: list[str] = []
    for match in _TOKEN.finditer(raw or ""):
        negate = match.group(1) or match.group(3)
        text = (match.group(2) if match.group(2) is not None else match.group(4) or "").strip()
        text = " ".join(text.split())[:MAX_TERM_LENGTH]
        if not _WORDISH.search(text):
            continue
        target = excluded if negate else terms
        if text not in target and len(terms) + len(excluded) < MAX_TERMS:
            target.append(text)
    return ParsedQuery(terms=tuple(terms), excluded=tuple(excluded))
