"""SQL pieces both engines share, and PostgreSQL's ways to find the newest matches cheaply."""

# SQL here is assembled from constants and %s placeholders only; user input is always a parameter.
# ruff: noqa: S608

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from goodwill.search import results
from goodwill.search.query import ParsedQuery
from goodwill.search.text import tokens


def fetchall(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    if connection.vendor != "postgresql":
        with connection.cursor() as db:
            db.execute(sql, params)
            return list(db.fetchall())
    # Starting a parallel worker costs more than these small, index-driven reads take.
    with transaction.atomic(), connection.cursor() as db:
        db.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        db.execute(sql, params)
        return list(db.fetchall())


def id_list(ids: Sequence[int]) -> tuple[str, list[int]]:
    return ", ".join(["%s"] * len(ids)), list(ids)


def id_before(column: str, before: int | None) -> tuple[str, list[int]]:
    return (f" AND {column} < %s", [before]) if before else ("", [])


def pg_tsquery(parsed: ParsedQuery) -> tuple[str, list[str]]:
    parts = ["phraseto_tsquery('simple'::regconfig, %s)"] * len(parsed.terms)
    parts += ["!! phraseto_tsquery('simple'::regconfig, %s)"] * len(parsed.excluded)
    return "(" + " && ".join(parts) + ")", [*parsed.terms, *parsed.excluded]


PG_WALK_THRESHOLD = 0.005
_PG_FREQUENCIES: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}


def pg_lexeme_frequencies(table: str, column: str) -> dict[str, float]:
    """The planner's own statistics: share of rows holding each common lexeme (cached 10 min)."""
    key = (table, column)
    cached = _PG_FREQUENCIES.get(key)
    if cached and time.monotonic() - cached[0] < 600:
        return cached[1]
    rows = fetchall(
        "SELECT u.e, u.f FROM pg_stats, unnest(most_common_elems::text::text[], most_common_elem_freqs) "
        "AS u(e, f) WHERE schemaname = current_schema() AND tablename = %s AND attname = %s "
        "AND u.e IS NOT NULL",
        [table, column],
    )
    frequencies = {str(lexeme): float(share) for lexeme, share in rows}
    _PG_FREQUENCIES[key] = (time.monotonic(), frequencies)
    return frequencies


def pg_order(parsed: ParsedQuery, id_column: str, table: str, column: str, how_many: int) -> str:
    """Newest first, by the cheaper of PostgreSQL's two ways to get there.

    A count (more rows than any page) needs no order: it stops after results.COUNT_CAP + 1.

    When every query word is common, walking the primary key backwards finds a page
    after a few rows. Otherwise collecting the matches from the GIN index and sorting
    them is cheaper; `+ 0` keeps the planner, whose estimate for words it has no
    statistics on is far too high, from walking the whole table instead.
    """
    if how_many > results.COUNT_CAP:
        return ""
    frequencies = pg_lexeme_frequencies(table, column)
    words = [word for term in parsed.terms for word in tokens(term)]
    common = bool(words) and min(frequencies.get(word, 0.0) for word in words) >= PG_WALK_THRESHOLD
    return f" ORDER BY {id_column} DESC" if common else f" ORDER BY {id_column} + 0 DESC"


def pg_estimate(parsed: ParsedQuery, table: str, column: str) -> int | None:
    """Rows holding every query word, from the planner's statistics, if all words are common.

    Words are taken as independent (the share of the rows is the product of their shares);
    rounded to two significant figures, since it is an estimate.
    """
    frequencies = pg_lexeme_frequencies(table, column)
    words = [word for term in parsed.terms for word in tokens(term)]
    if not words or min(frequencies.get(word, 0.0) for word in words) < PG_WALK_THRESHOLD:
        return None
    share = 1.0
    for word in dict.fromkeys(words):
        share *= frequencies[word]
    rows = fetchall("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    guess = int(share * max(float(rows[0][0]), 0.0)) if rows else 0
    digits = max(len(str(guess)) - 2, 0)
    return round(guess, -digits) if guess else None


PG_WINDOWS = (100_000, 1_000_000)
PG_WALK_ROWS = 100_000


def pg_newest_first(
    sql: str,
    head: list[Any],
    tail: list[Any],
    how_many: int,
    before: int | None,
    id_column: str,
    table: str,
    ordering: str,
) -> list[tuple[Any, ...]]:
    """Run `sql` (`{range}` bounds the ids, `{order}` orders) for the newest matches below `before`.

    Matches collected from the GIN index are all read from the table before they can be
    sorted: tens of thousands of rows for a word just too rare for the planner's list of
    common ones. So look among the newest 100,000 rows first, then the newest 1,000,000,
    then everywhere, and stop as soon as one range holds a page. Common words walk the
    primary key instead, but only through the newest PG_WALK_ROWS rows: if those hold too
    few (the newest mail need not be like the rest), the ranges take over.
    """
    if not ordering:  # a count
        after, after_params = id_before(id_column, before)
        return fetchall(sql.format(range=after, order=""), [*head, *after_params, *tail])
    top = before
    if top is None:
        newest = fetchall(f"SELECT max(id) FROM {table}", [])
        top = int(newest[0][0] or 0) + 1 if newest else 1
    between = f" AND {id_column} < %s AND {id_column} >= %s"
    gin_order = f" ORDER BY {id_column} + 0 DESC"
    if not ordering.endswith("+ 0 DESC"):
        rows = fetchall(sql.format(range=between, order=ordering), [*head, top, top - PG_WALK_ROWS, *tail])
        if len(rows) >= how_many or top - PG_WALK_ROWS <= 0:
            return rows
    for window in PG_WINDOWS:
        rows = fetchall(sql.format(range=between, order=gin_order), [*head, top, top - window, *tail])
        if len(rows) >= how_many or top - window <= 0:
            return rows
    return fetchall(sql.format(range=f" AND {id_column} < %s", order=gin_order), [*head, top, *tail])
