"""Cursors, best-match ranking and capped counts: the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection

from goodwill.search import results
from goodwill.search.postgres import PG_WALK_THRESHOLD, pg_estimate
from goodwill.search.query import ParsedQuery
from goodwill.search.text import tokens as words_of

Fetch = Any  # (before_id | None, how_many, with_text) -> list[(id, text)]


def read_cursor(cursor: str | None, order: str) -> int:
    """Date order: the last id seen (0 = start). Relevance: the offset into the ranking."""
    if not cursor or ":" not in cursor:
        return 0
    prefix, _, value = cursor.partition(":")
    if prefix != order[0] or not value.isdigit():
        return 0
    return int(value)


def rank(parsed: ParsedQuery, rows: list[tuple[int, str]]) -> list[tuple[int, float]]:
    """BM25 term-frequency scores (k1=1.2, b=0.75) over the candidates; lower sorts first.

    Every candidate contains every term, so inverse document frequency would only
    weigh terms against each other; it is left out to keep the ranking one cheap pass.
    """
    k1, b = 1.2, 0.75
    phrases = [words_of(term) for term in parsed.terms]
    tokenised = [(pk, words_of(text or "")) for pk, text in rows]
    average = (sum(len(tokens) for _, tokens in tokenised) / len(tokenised)) if tokenised else 1.0
    scored = []
    for pk, tokens in tokenised:
        length = len(tokens) or 1
        score = 0.0
        for phrase in phrases:
            if not phrase:
                continue
            if len(phrase) == 1:
                frequency = tokens.count(phrase[0])
            else:
                span, first = len(phrase), phrase[0]
                frequency = sum(
                    1 for i, token in enumerate(tokens) if token == first and tokens[i : i + span] == phrase
                )
            score += frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * length / (average or 1.0)))
        scored.append((pk, -score))
    return scored


def ranked_page(
    parsed: ParsedQuery, order: str, limit: int, cursor: str | None, fetch: Fetch
) -> tuple[list[tuple[int, float]], str | None, int]:
    """One page of (id, score): newest first by id, or the best of the newest candidates.

    Also how many newest matches best match ranked when more matched (0 if it saw all).
    """
    position = read_cursor(cursor, order)
    if order == "date":
        rows = fetch(position or None, limit + 1, False)
        page = [(pk, 0.0) for pk, _ in rows[:limit]]
        more = len(rows) > limit
        return page, (f"d:{page[-1][0]}" if more and page else None), 0
    # A preview of a few hits ranks fewer candidates: it only has to show that more exist.
    candidates = results.RELEVANCE_CANDIDATES if limit > results.PREVIEW_LIMIT else results.PREVIEW_CANDIDATES
    found = fetch(None, candidates + 1, True)
    limited = candidates if len(found) > candidates else 0
    ranked = sorted(rank(parsed, found[:candidates]), key=lambda row: (row[1], -row[0]))
    page = ranked[position : position + limit]
    more = position + limit < len(ranked)
    return page, (f"r:{position + limit}" if more else None), limited


def count_matches(
    parsed: ParsedQuery, fetch: Fetch, estimate: tuple[str, str] | None, filtered: bool
) -> tuple[int, str]:
    """How many match: exactly up to COUNT_CAP, "more than" past it, or a planner estimate.

    `estimate` names the PostgreSQL (table, column) whose statistics to use when every
    query word is listed there and nothing but the words narrows the search.
    """
    if estimate is not None and connection.vendor == "postgresql" and not parsed.excluded:
        estimated = pg_estimate(parsed, *estimate)
        if estimated is not None:
            guess, rarest = estimated
            # Common words as before; words only the longer statistics list know about
            # need a margin, as their share is known less exactly.
            common = rarest >= PG_WALK_THRESHOLD
            if not filtered and guess > results.COUNT_CAP * (1 if common else 2):
                return guess, "about"
            if common and guess > results.COUNT_CAP:
                return results.COUNT_CAP, "more"
    found = len(fetch(None, results.COUNT_CAP + 1, False))
    return (results.COUNT_CAP, "more") if found > results.COUNT_CAP else (found, "exact")
