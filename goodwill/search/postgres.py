"""SQL pieces both engines share, and PostgreSQL's ways to find the newest matches cheaply."""

# SQL here is assembled from constants and %s placeholders only; user input is always a parameter.
# ruff: noqa: S608

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from goodwill.search import results
from goodwill.search.query import ParsedQuery
from goodwill.search.text import tokens


def fetchall(sql: str, params: Sequence[Any], *, walk: bool = False) -> list[tuple[Any, ...]]:
    """Run a search read. `walk`: by the primary key only (`pg_plan` chose to walk it)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as db:
            db.execute(sql, params)
            return list(db.fetchall())
    # Starting a parallel worker costs more than these small, index-driven reads take. A
    # hash or merge join would read every conversation to check the permissions of a few
    # hundred matches (the planner's guess of the matches can be far too high); these
    # reads always stop after a page, so nested loops over the primary keys it is.
    with transaction.atomic(), connection.cursor() as db:
        db.execute(
            "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true), "
            "set_config('enable_bitmapscan', %s, true)",
            ["off" if walk else "on"],
        )
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


_PG_ROWS: dict[str, tuple[float, float]] = {}


def _row_count(table: str) -> float:
    """The planner's row count of a table or index (cached 10 min, like the frequencies)."""
    cached = _PG_ROWS.get(table)
    if cached and time.monotonic() - cached[0] < 600:
        return cached[1]
    rows = fetchall("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    count = max(float(rows[0][0]), 0.0) if rows else 0.0
    _PG_ROWS[table] = (time.monotonic(), count)
    return count


# Rough cost of one row for each way of finding the newest matches (µs, from EXPLAIN
# ANALYZE at 100,000 conversations on a busy 2-core machine; only their ratios matter):
# walking the primary key backwards and testing each row's stored vector; one id of a
# primary-key range ANDed with the GIN index's matches; reading a matching row (and its
# conversation, for permissions); one posting of the GIN index.
COST_WALK = 1.0
COST_RANGE_ID = 0.15
COST_MATCH = 10.0
COST_POSTING = 0.15


@dataclass(frozen=True)
class PgPlan:
    """How to find the newest matches: "walk" the primary key backwards through `rows`
    ids, take the GIN matches within a "range" of the newest `rows` ids (widening it when
    short), or sort "all" the GIN matches. `matches` is the estimate it was chosen on."""

    how: str
    rows: int
    matches: float


def pg_plan(parsed: ParsedQuery, table: str, column: str, how_many: int) -> PgPlan:
    """The cheapest way to the newest `how_many` matches, from the planner's lexeme statistics.

    The planner's own choice rests on its guess for words missing from its list of common
    lexemes (half the rarest listed share) and on words being independent, both far off
    at times. Here the share of rows holding the query sizes the walk or the id range,
    and a word missing from the list bounds the matches by the rarest share listed
    (`schema.PG_STATISTICS` makes that list long: down to about 0.03% of messages).
    """
    frequencies = pg_lexeme_frequencies(table, column)
    phrases = [words for words in (tokens(term) for term in parsed.terms) if words]
    rows = _row_count(table) if frequencies and phrases else 0.0
    if not rows:
        return PgPlan("all", 0, 0.0)
    floor = min(frequencies.values())
    # Words searched together tend to go together ("good morning", "refund order"): as
    # if each query held as many rows as its rarest word. When they hold fewer, the walk
    # or range comes up short and widens. A word missing from the list is rarer than every
    # listed one: guess half the rarest share, as the planner does, bounded by that share.
    words = [word for phrase in phrases for word in phrase]
    share = min(frequencies.get(word, floor / 2) for word in words)
    bound = min(frequencies.get(word, floor) for word in words)
    matches = share * rows
    costs = {"all": bound * rows * COST_MATCH}
    if share > 0:
        span = how_many / share
        costs["walk"] = span * COST_WALK
        costs["range"] = 2 * span * COST_RANGE_ID + 2 * how_many * COST_MATCH + bound * rows * COST_POSTING
    how = min(costs, key=costs.__getitem__)
    if how == "all":
        return PgPlan("all", 0, matches)
    # A walk stops at its page, so its bound can be generous; a range costs all its ids.
    span = int(min(rows, (3 if how == "walk" else 2) * how_many / share)) + 1
    return PgPlan(how, max(span, 1000), matches)


def pg_order(parsed: ParsedQuery, id_column: str, table: str, column: str, how_many: int) -> str:
    """Newest first, by the cheaper of walking the primary key and sorting the GIN matches.

    A count (more rows than any page) needs no order: it stops after results.COUNT_CAP + 1.
    `+ 0` keeps the planner, whose estimate for words it has no statistics on can be far
    too high, from walking the whole table instead.
    """
    if how_many > results.COUNT_CAP:
        return ""
    plan = pg_plan(parsed, table, column, how_many)
    return f" ORDER BY {id_column} DESC" if plan.how == "walk" else f" ORDER BY {id_column} + 0 DESC"


def pg_estimate(parsed: ParsedQuery, table: str, column: str) -> tuple[int, float] | None:
    """Rows holding every query word, from the planner's statistics, if all words are listed there;
    and the share of the rarest word.

    Words are taken as independent (the share of the rows is the product of their shares);
    rounded to two significant figures, since it is an estimate.
    """
    frequencies = pg_lexeme_frequencies(table, column)
    words = [word for term in parsed.terms for word in tokens(term)]
    if not words or any(word not in frequencies for word in words):
        return None
    share = 1.0
    for word in dict.fromkeys(words):
        share *= frequencies[word]
    guess = int(share * _row_count(table))
    digits = max(len(str(guess)) - 2, 0)
    return (round(guess, -digits), min(frequencies[word] for word in words)) if guess else None


def pg_newest_first(
    sql: str,
    head: list[Any],
    tail: list[Any],
    how_many: int,
    before: int | None,
    id_column: str,
    table: str,
    plan: PgPlan | None,
) -> list[tuple[Any, ...]]:
    """Run `sql` (`{range}` bounds the ids, `{order}` orders) for the newest matches below `before`.

    Sorting every GIN match means reading each from the table first: tens of thousands
    of rows for a middling word. Walking the primary key tests every row on the way:
    cheap for a word in one message of ten, dear for one in two hundred. So `plan`
    (`pg_plan`) says which, and how far: the walk goes through as many of the newest ids
    as should hold a page, the range twice that. When they hold too few (the newest mail
    need not be like the rest, and words are not independent), the range widens eight
    times, then takes everything. No `plan`: a count, in any order.
    """
    if plan is None:
        after, after_params = id_before(id_column, before)
        return fetchall(sql.format(range=after, order=""), [*head, *after_params, *tail])
    gin_order = f" ORDER BY {id_column} + 0 DESC"
    top = before
    if top is None and plan.how != "all":
        newest = fetchall(f"SELECT max(id) FROM {table}", [])
        top = int(newest[0][0] or 0) + 1 if newest else 1
    if top is not None and plan.how != "all":
        between = f" AND {id_column} < %s AND {id_column} >= %s"
        span = plan.rows
        if plan.how == "walk":
            walk_order = f" ORDER BY {id_column} DESC"
            rows = fetchall(
                sql.format(range=between, order=walk_order), [*head, top, top - span, *tail], walk=True
            )
            if len(rows) >= how_many or top - span <= 0:
                return rows
            span *= 4
        for _ in range(2):
            rows = fetchall(sql.format(range=between, order=gin_order), [*head, top, top - span, *tail])
            if len(rows) >= how_many or top - span <= 0:
                return rows
            span *= 8
    after, after_params = id_before(id_column, top)
    return fetchall(sql.format(range=after, order=gin_order), [*head, *after_params, *tail])
