"""Search across conversations, messages and customers, with the asking agent's permissions.

Both engines work the same way so they scale the same way:

* date order walks the full-text index newest id first and stops after one page, so a
  common word costs no more than a rare one; the cursor is the last id seen;
* relevance order ranks the newest `RELEVANCE_CANDIDATES` matches (all of them for any
  but common words) with BM25 term-frequency scoring computed here, the same on both
  engines, and pages through that ranked list. (SQLite's bm25() and PostgreSQL's
  ts_rank() would each read every match of a common word first: too slow at scale.)
  When a query matches more than that, the page says so (`SearchPage.limited`);
* counts stop at `COUNT_CAP` ("more than 1,000"); a PostgreSQL query of common words
  only is counted from the planner's statistics instead ("about 120,000"), as walking
  its matches would cost what the ranking saves.

Permissions and filters are applied inside the index walk, so a page is never short
because rows were dropped afterwards.
"""

# SQL here is assembled from constants and %s placeholders only; user input is always a parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.customers.models import Customer, Identity
from goodwill.search import schema
from goodwill.search.query import ParsedQuery, parse_query

KINDS = ("conversations", "messages", "customers")
ORDERS = ("relevance", "date")
RELEVANCE_CANDIDATES = 200
COUNT_CAP = 1000
PREVIEW_LIMIT = 5  # per kind, when searching everything at once
PREVIEW_CANDIDATES = 100
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)


@dataclass(frozen=True)
class Filters:
    statuses: tuple[str, ...] = ()
    channel: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @property
    def touch_conversations(self) -> bool:
        return bool(self.statuses or self.channel or self.since or self.until)


@dataclass
class SearchHit:
    kind: str  # "conversation", "message" or "customer"; a customer's conversation is their latest
    pk: int
    snippet: SafeString
    score: float = 0.0
    conversation: Conversation | None = None
    message: Message | None = None
    customer: Customer | None = None

    @property
    def at(self) -> datetime | None:
        if self.message is not None:
            return self.message.created_at
        if self.conversation is not None:
            return self.conversation.last_message_at
        if self.customer is not None:
            return self.customer.created_at
        return None


@dataclass
class SearchPage:
    kind: str
    hits: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None
    limited: int = 0  # when more matched: best match ranked only this many newest matches
    total: int | None = None  # matches counted, up to COUNT_CAP (or estimated)
    total_is: str = "exact"  # "exact", "more" (more than total) or "about" (an estimate)

    @property
    def total_text(self) -> str:
        if self.total is None:
            return ""
        if self.total_is == "more":
            return f"more than {self.total:,}"
        if self.total_is == "about":
            return f"about {self.total:,}"
        return f"{self.total:,}"


@dataclass
class SearchResults:
    query: ParsedQuery
    order: str
    pages: dict[str, SearchPage] = field(default_factory=dict)

    @property
    def conversations(self) -> SearchPage | None:
        return self.pages.get("conversations")

    @property
    def messages(self) -> SearchPage | None:
        return self.pages.get("messages")

    @property
    def customers(self) -> SearchPage | None:
        return self.pages.get("customers")

    @property
    def is_empty(self) -> bool:
        return not any(page.hits for page in self.pages.values())


def search_for(
    agent: Agent,
    query: str,
    *,
    kind: str | None = None,
    order: str = "relevance",
    limit: int = 20,
    cursor: str | None = None,
    statuses: Sequence[str] = (),
    channel: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> SearchResults:
    """Search what the agent may see. `kind=None` gives a few of each kind; a kind pages.

    Customers are visible to every agent; conversations and their messages follow
    `conversations_visible_to` (other restricted teams' conversations are left out).
    """
    parsed = parse_query(query)
    order = order if order in ORDERS else "relevance"
    kind = {"conversation": "conversations", "message": "messages", "customer": "customers"}.get(
        kind or "", kind
    )
    kind = kind if kind in KINDS else None
    results = SearchResults(query=parsed, order=order)
    if not parsed or not agent.is_active:
        return results
    limit = max(1, min(limit, 100))
    filters = Filters(statuses=tuple(statuses), channel=channel, since=since, until=until)
    hidden = restricted_team_ids_hidden_from(agent)
    kinds = [kind] if kind else list(KINDS)
    for name in kinds:
        if name == "customers" and kind is None and filters.touch_conversations:
            continue  # conversation filters say nothing about customers
        page_limit = limit if kind else (limit if name == "messages" else PREVIEW_LIMIT)
        page_cursor = cursor if kind else None
        finder = {"messages": _messages, "conversations": _conversations, "customers": _customers}[name]
        results.pages[name] = finder(parsed, order, page_limit, page_cursor, filters, hidden)
    return results


# --- cursors and ranking -------------------------------------------------------------

Fetch = Any  # (before_id | None, how_many, with_text) -> list[(id, text)]


def _read_cursor(cursor: str | None, order: str) -> int:
    """Date order: the last id seen (0 = start). Relevance: the offset into the ranking."""
    if not cursor or ":" not in cursor:
        return 0
    prefix, _, value = cursor.partition(":")
    if prefix != order[0] or not value.isdigit():
        return 0
    return int(value)


_COMBINING = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    """Words as the indexes see them: lower case, accents removed (unicode61 remove_diacritics)."""
    text = text.lower()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _WORD.findall(text)


def _rank(parsed: ParsedQuery, rows: list[tuple[int, str]]) -> list[tuple[int, float]]:
    """BM25 term-frequency scores (k1=1.2, b=0.75) over the candidates; lower sorts first.

    Every candidate contains every term, so inverse document frequency would only
    weigh terms against each other; it is left out to keep the ranking one cheap pass.
    """
    k1, b = 1.2, 0.75
    phrases = [_tokens(term) for term in parsed.terms]
    tokenised = [(pk, _tokens(text or "")) for pk, text in rows]
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


def _page(
    parsed: ParsedQuery, order: str, limit: int, cursor: str | None, fetch: Fetch
) -> tuple[list[tuple[int, float]], str | None, int]:
    """One page of (id, score): newest first by id, or the best of the newest candidates.

    Also how many newest matches best match ranked when more matched (0 if it saw all).
    """
    position = _read_cursor(cursor, order)
    if order == "date":
        rows = fetch(position or None, limit + 1, False)
        page = [(pk, 0.0) for pk, _ in rows[:limit]]
        more = len(rows) > limit
        return page, (f"d:{page[-1][0]}" if more and page else None), 0
    # A preview of a few hits ranks fewer candidates: it only has to show that more exist.
    candidates = RELEVANCE_CANDIDATES if limit > PREVIEW_LIMIT else PREVIEW_CANDIDATES
    found = fetch(None, candidates + 1, True)
    limited = candidates if len(found) > candidates else 0
    ranked = sorted(_rank(parsed, found[:candidates]), key=lambda row: (row[1], -row[0]))
    page = ranked[position : position + limit]
    more = position + limit < len(ranked)
    return page, (f"r:{position + limit}" if more else None), limited


def _count(
    parsed: ParsedQuery, fetch: Fetch, estimate: tuple[str, str] | None, filtered: bool
) -> tuple[int, str]:
    """How many match: exactly up to COUNT_CAP, "more than" past it, or a planner estimate.

    `estimate` names the PostgreSQL (table, column) whose statistics to use when every
    query word is common there and nothing but the words narrows the search.
    """
    if estimate is not None and connection.vendor == "postgresql" and not parsed.excluded:
        guess = _pg_estimate(parsed, *estimate)
        if guess is not None:
            if not filtered and guess > COUNT_CAP:
                return guess, "about"
            if guess > COUNT_CAP:
                return COUNT_CAP, "more"
    found = len(fetch(None, COUNT_CAP + 1, False))
    return (COUNT_CAP, "more") if found > COUNT_CAP else (found, "exact")


# --- shared SQL pieces ------------------------------------------------------------------


def _conversation_filters(
    filters: Filters, hidden: list[int], *, date_column: str, channel_column: str
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if hidden:
        clauses.append(f"(c.team_id IS NULL OR c.team_id NOT IN ({', '.join(['%s'] * len(hidden))}))")
        params.extend(hidden)
    if filters.statuses:
        clauses.append(f"c.status IN ({', '.join(['%s'] * len(filters.statuses))})")
        params.extend(filters.statuses)
    if filters.channel:
        clauses.append(f"{channel_column} = %s")
        params.append(filters.channel)
    if filters.since:
        clauses.append(f"{date_column} >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.since))
    if filters.until:
        clauses.append(f"{date_column} < %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.until))
    return "".join(f" AND {clause}" for clause in clauses), params


def _pg_tsquery(parsed: ParsedQuery) -> tuple[str, list[str]]:
    parts = ["phraseto_tsquery('simple'::regconfig, %s)"] * len(parsed.terms)
    parts += ["!! phraseto_tsquery('simple'::regconfig, %s)"] * len(parsed.excluded)
    return "(" + " && ".join(parts) + ")", [*parsed.terms, *parsed.excluded]


PG_WALK_THRESHOLD = 0.005
_PG_FREQUENCIES: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}


def _pg_lexeme_frequencies(table: str, column: str) -> dict[str, float]:
    """The planner's own statistics: share of rows holding each common lexeme (cached 10 min)."""
    key = (table, column)
    cached = _PG_FREQUENCIES.get(key)
    if cached and time.monotonic() - cached[0] < 600:
        return cached[1]
    rows = _fetchall(
        "SELECT u.e, u.f FROM pg_stats, unnest(most_common_elems::text::text[], most_common_elem_freqs) "
        "AS u(e, f) WHERE schemaname = current_schema() AND tablename = %s AND attname = %s "
        "AND u.e IS NOT NULL",
        [table, column],
    )
    frequencies = {str(lexeme): float(share) for lexeme, share in rows}
    _PG_FREQUENCIES[key] = (time.monotonic(), frequencies)
    return frequencies


def _pg_order(parsed: ParsedQuery, id_column: str, table: str, column: str, how_many: int) -> str:
    """Newest first, by the cheaper of PostgreSQL's two ways to get there.

    A count (more rows than any page) needs no order: it stops after COUNT_CAP + 1.

    When every query word is common, walking the primary key backwards finds a page
    after a few rows. Otherwise collecting the matches from the GIN index and sorting
    them is cheaper; `+ 0` keeps the planner, whose estimate for words it has no
    statistics on is far too high, from walking the whole table instead.
    """
    if how_many > COUNT_CAP:
        return ""
    frequencies = _pg_lexeme_frequencies(table, column)
    words = [word for term in parsed.terms for word in _tokens(term)]
    common = bool(words) and min(frequencies.get(word, 0.0) for word in words) >= PG_WALK_THRESHOLD
    return f" ORDER BY {id_column} DESC" if common else f" ORDER BY {id_column} + 0 DESC"


def _pg_estimate(parsed: ParsedQuery, table: str, column: str) -> int | None:
    """Rows holding every query word, from the planner's statistics, if all words are common.

    Words are taken as independent (the share of the rows is the product of their shares);
    rounded to two significant figures, since it is an estimate.
    """
    frequencies = _pg_lexeme_frequencies(table, column)
    words = [word for term in parsed.terms for word in _tokens(term)]
    if not words or min(frequencies.get(word, 0.0) for word in words) < PG_WALK_THRESHOLD:
        return None
    share = 1.0
    for word in dict.fromkeys(words):
        share *= frequencies[word]
    rows = _fetchall("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    guess = int(share * max(float(rows[0][0]), 0.0)) if rows else 0
    digits = max(len(str(guess)) - 2, 0)
    return round(guess, -digits) if guess else None


PG_WINDOWS = (100_000, 1_000_000)
PG_WALK_ROWS = 100_000


def _pg_newest_first(
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
        after, after_params = _before(id_column, before)
        return _fetchall(sql.format(range=after, order=""), [*head, *after_params, *tail])
    top = before
    if top is None:
        newest = _fetchall(f"SELECT max(id) FROM {table}", [])
        top = int(newest[0][0] or 0) + 1 if newest else 1
    between = f" AND {id_column} < %s AND {id_column} >= %s"
    gin_order = f" ORDER BY {id_column} + 0 DESC"
    if not ordering.endswith("+ 0 DESC"):
        rows = _fetchall(sql.format(range=between, order=ordering), [*head, top, top - PG_WALK_ROWS, *tail])
        if len(rows) >= how_many or top - PG_WALK_ROWS <= 0:
            return rows
    for window in PG_WINDOWS:
        rows = _fetchall(sql.format(range=between, order=gin_order), [*head, top, top - window, *tail])
        if len(rows) >= how_many or top - window <= 0:
            return rows
    return _fetchall(sql.format(range=f" AND {id_column} < %s", order=gin_order), [*head, top, *tail])


def _fetchall(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    if connection.vendor != "postgresql":
        with connection.cursor() as db:
            db.execute(sql, params)
            return list(db.fetchall())
    # Starting a parallel worker costs more than these small, index-driven reads take.
    with transaction.atomic(), connection.cursor() as db:
        db.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        db.execute(sql, params)
        return list(db.fetchall())


def _id_list(ids: Sequence[int]) -> tuple[str, list[int]]:
    return ", ".join(["%s"] * len(ids)), list(ids)


def _before(column: str, before: int | None) -> tuple[str, list[int]]:
    return (f" AND {column} < %s", [before]) if before else ("", [])


def render_snippet(raw: str | None) -> SafeString:
    """Escape everything, then turn the index's own markers into <mark> elements."""
    text = str(escape(raw or ""))
    text = _MARKED.sub(lambda match: f"<mark>{match.group(1)}</mark>", text)
    return mark_safe(text.replace(MARK_START, "").replace(MARK_END, ""))  # noqa: S308


def _fallback_snippet(text: str, parsed: ParsedQuery, width: int = 160) -> SafeString:
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


def _messages(
    parsed: ParsedQuery, order: str, limit: int, cursor: str | None, filters: Filters, hidden: list[int]
) -> SearchPage:
    extra, extra_params = _conversation_filters(
        filters, hidden, date_column="m.created_at", channel_column="m.channel"
    )
    conversation_join = " JOIN conversations_conversation c ON c.id = m.conversation_id" if extra else ""

    def fetch(before: int | None, how_many: int, with_text: bool) -> list[tuple[int, str]]:
        columns = ", m.new_text, m.text" if with_text else ""
        if connection.vendor == "sqlite":
            after, after_params = _before("search_message_fts.rowid", before)
            join = (
                " JOIN conversations_message m ON m.id = search_message_fts.rowid" + conversation_join
                if with_text or extra
                else ""
            )
            sql = (
                f"SELECT search_message_fts.rowid{columns} FROM search_message_fts{join}"
                f" WHERE search_message_fts MATCH %s{after}{extra}"
                " ORDER BY search_message_fts.rowid DESC LIMIT %s"
            )
            params: list[Any] = [parsed.fts5, *after_params, *extra_params, how_many]
        else:
            tsquery, tsparams = _pg_tsquery(parsed)
            ordering = _pg_order(parsed, "m.id", "conversations_message", "search_vector", how_many)
            sql = (
                f"SELECT m.id{columns} FROM conversations_message m{conversation_join}"
                f" WHERE m.search_vector @@ {tsquery}{{range}}{extra}{{order}} LIMIT %s"
            )
            found = _pg_newest_first(
                sql, tsparams, [*extra_params, how_many], how_many, before, "m.id", "conversations_message", ordering
            )
            return [(row[0], (row[1] or row[2]) if with_text else "") for row in found]
        return [(row[0], (row[1] or row[2]) if with_text else "") for row in _fetchall(sql, params)]

    rows, next_cursor, limited = _page(parsed, order, limit, cursor, fetch)
    total, total_is = _count(parsed, fetch, ("conversations_message", "search_vector"), bool(extra))
    ids = [pk for pk, _ in rows]
    snippets = _message_snippets(parsed, ids)
    messages = (
        Message.objects.select_related(
            "conversation", "conversation__customer", "author_agent", "author_customer"
        )
        .defer(
            "html",
            "raw_path",
            "delivery_error",
            "conversation__custom_fields",
            "conversation__customer__notes",
        )
        .in_bulk(ids)
    )
    hits = []
    for pk, score in rows:
        message = messages.get(pk)
        if message is None:
            continue
        snippet = snippets.get(pk) or ""
        hits.append(
            SearchHit(
                kind="message",
                pk=pk,
                score=score,
                message=message,
                conversation=message.conversation,
                customer=message.conversation.customer,
                snippet=render_snippet(snippet)
                if MARK_START in snippet
                else _fallback_snippet(message.display_text, parsed),
            )
        )
    return SearchPage(
        kind="messages", hits=hits, next_cursor=next_cursor, limited=limited, total=total, total_is=total_is
    )


def _message_snippets(parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    placeholders, id_params = _id_list(ids)
    if connection.vendor == "sqlite":
        sql = (
            "SELECT rowid, snippet(search_message_fts, 0, %s, %s, '…', 24) FROM search_message_fts "
            f"WHERE search_message_fts MATCH %s AND rowid IN ({placeholders})"
        )
        return dict(_fetchall(sql, [MARK_START, MARK_END, parsed.fts5, *id_params]))  # type: ignore[arg-type]
    tsquery, tsparams = _pg_tsquery(parsed)
    body = schema.PG_MESSAGE_BODY.format(row="m")
    sql = (
        f"SELECT m.id, ts_headline('simple'::regconfig, {body}, {tsquery}, %s) "
        f"FROM conversations_message m WHERE m.id IN ({placeholders})"
    )
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    return dict(_fetchall(sql, [*tsparams, options, *id_params]))  # type: ignore[arg-type]


# --- conversations ------------------------------------------------------------------------


def _conversations(
    parsed: ParsedQuery, order: str, limit: int, cursor: str | None, filters: Filters, hidden: list[int]
) -> SearchPage:
    extra, extra_params = _conversation_filters(
        filters, hidden, date_column="c.last_message_at", channel_column="c.channel"
    )

    def fetch(before: int | None, how_many: int, with_text: bool) -> list[tuple[int, str]]:
        if connection.vendor == "sqlite":
            after, after_params = _before("search_conversation_fts.rowid", before)
            join = (
                " JOIN conversations_conversation c ON c.id = search_conversation_fts.rowid"
                if extra or with_text
                else ""
            )
            columns = ", c.subject" if with_text else ""
            sql = (
                f"SELECT search_conversation_fts.rowid{columns} FROM search_conversation_fts{join}"
                f" WHERE search_conversation_fts MATCH %s{after}{extra}"
                " ORDER BY search_conversation_fts.rowid DESC LIMIT %s"
            )
            params: list[Any] = [parsed.fts5, *after_params, *extra_params, how_many]
        else:
            tsquery, tsparams = _pg_tsquery(parsed)
            after, after_params = _before("c.id", before)
            vector = schema.PG_CONVERSATION_VECTOR.format(row="c")
            sql = (
                f"SELECT c.id, c.subject FROM conversations_conversation c"
                f" WHERE {vector} @@ {tsquery}{after}{extra}"
                + _pg_order(parsed, "c.id", "search_conversation_vector", "to_tsvector", how_many)
                + " LIMIT %s"
            )
            params = [*tsparams, *after_params, *extra_params, how_many]
        return [(row[0], row[1] if with_text else "") for row in _fetchall(sql, params)]

    rows, next_cursor, limited = _page(parsed, order, limit, cursor, fetch)
    total, total_is = _count(parsed, fetch, ("search_conversation_vector", "to_tsvector"), bool(extra))
    ids = [pk for pk, _ in rows]
    conversations = (
        Conversation.objects.select_related("customer").defer("custom_fields", "customer__notes").in_bulk(ids)
    )
    hits = []
    for pk, score in rows:
        conversation = conversations.get(pk)
        if conversation is None:
            continue
        hits.append(
            SearchHit(
                kind="conversation",
                pk=pk,
                score=score,
                conversation=conversation,
                customer=conversation.customer,
                snippet=_fallback_snippet(conversation.subject, parsed, width=300),
            )
        )
    return SearchPage(
        kind="conversations", hits=hits, next_cursor=next_cursor, limited=limited, total=total, total_is=total_is
    )


# --- customers ----------------------------------------------------------------------------


def _identity_matches(parsed: ParsedQuery) -> list[int]:
    """Customers whose email address or phone number starts with what was typed.

    A range on the unique (kind, value) index, never LIKE with a leading wildcard.
    """
    found: list[int] = []
    for term in parsed.terms:
        if "@" in term:
            kind, value = Identity.Kind.EMAIL, Identity.normalise_email(term)
        elif sum(ch.isdigit() for ch in term) >= 5:
            kind, value = Identity.Kind.PHONE, Identity.normalise_phone(term)
        else:
            continue
        if not value:
            continue
        found.extend(
            Identity.objects.filter(kind=kind, value__gte=value, value__lt=value + "\U0010ffff")
            .order_by("value")
            .values_list("customer_id", flat=True)[:50]
        )
    return list(dict.fromkeys(found))


def _customers(
    parsed: ParsedQuery, order: str, limit: int, cursor: str | None, filters: Filters, hidden: list[int]
) -> SearchPage:
    by_identity = _identity_matches(parsed)
    position = _read_cursor(cursor, order)

    def fetch(before: int | None, how_many: int, with_text: bool) -> list[tuple[int, str]]:
        if connection.vendor == "sqlite":
            after, after_params = _before("search_customer_fts.rowid", before)
            sql = (
                "SELECT search_customer_fts.rowid, cu.name, cu.preferred_name FROM search_customer_fts"
                " JOIN customers_customer cu ON cu.id = search_customer_fts.rowid"
                f" WHERE search_customer_fts MATCH %s{after}"
                " ORDER BY search_customer_fts.rowid DESC LIMIT %s"
            )
            params: list[Any] = [parsed.fts5, *after_params, how_many]
        else:
            tsquery, tsparams = _pg_tsquery(parsed)
            after, after_params = _before("cu.id", before)
            vector = schema.PG_CUSTOMER_VECTOR.format(row="cu")
            sql = (
                f"SELECT cu.id, cu.name, cu.preferred_name FROM customers_customer cu"
                f" WHERE {vector} @@ {tsquery}{after}"
                + _pg_order(parsed, "cu.id", "search_customer_vector", "to_tsvector", how_many)
                + " LIMIT %s"
            )
            params = [*tsparams, *after_params, how_many]
        return [(row[0], f"{row[1]} {row[2]}") for row in _fetchall(sql, params)]

    rows, next_cursor, limited = _page(parsed, order, limit, cursor, fetch)
    total, total_is = _count(parsed, fetch, ("search_customer_vector", "to_tsvector"), False)
    if total_is == "exact":
        total = max(total, len(set(by_identity) | {pk for pk, _ in rows}))
    if by_identity and position == 0:
        # Address and number matches are the best matches there are: first, once.
        rows = [(pk, float("-inf")) for pk in by_identity] + [
            row for row in rows if row[0] not in by_identity
        ]
        rows = rows[: max(limit, len(by_identity))]
    latest = Conversation.objects.filter(customer_id=OuterRef("pk"))
    if hidden:
        latest = latest.filter(Q(team__isnull=True) | ~Q(team_id__in=hidden))
    customers = (
        Customer.objects.select_related("organisation")
        .prefetch_related("identities")
        .annotate(latest_id=Subquery(latest.order_by("-last_message_at", "-id").values("id")[:1]))
        .in_bulk([pk for pk, _ in rows])
    )
    latest_conversations = Conversation.objects.in_bulk(
        [customer.latest_id for customer in customers.values() if customer.latest_id]  # type: ignore[attr-defined]
    )
    hits = []
    for pk, score in rows:
        customer = customers.get(pk)
        if customer is None:
            continue
        label = customer.name or customer.primary_email or f"Customer {customer.pk}"
        hits.append(
            SearchHit(
                kind="customer",
                pk=pk,
                score=score if score != float("-inf") else -1e9,
                customer=customer,
                conversation=latest_conversations.get(customer.latest_id),  # type: ignore[attr-defined]
                snippet=_fallback_snippet(label, parsed, width=300),
            )
        )
    return SearchPage(
        kind="customers", hits=hits, next_cursor=next_cursor, limited=limited, total=total, total_is=total_is
    )
