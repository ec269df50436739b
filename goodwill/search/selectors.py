"""Search across conversations, messages and customers, with the asking agent's permissions.

Both engines work the same way so they scale the same way (limits in `results`,
ranking and counts in `ranking`, PostgreSQL's index walks in `postgres`):

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

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.customers.models import Customer, Identity
from goodwill.search import postgres, results, schema
from goodwill.search.postgres import (
    fetchall,
    id_before,
    id_list,
    pg_newest_first,
    pg_order,
    pg_tsquery,
)
from goodwill.search.query import ParsedQuery, parse_query
from goodwill.search.ranking import count_matches, ranked_page, read_cursor
from goodwill.search.results import (
    KINDS,
    ORDERS,
    PREVIEW_LIMIT,
    Filters,
    SearchHit,
    SearchPage,
    SearchResults,
)
from goodwill.search.text import MARK_END, MARK_START, fallback_snippet, render_snippet

__all__ = ["Filters", "SearchHit", "SearchPage", "SearchResults", "render_snippet", "search_for"]


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
            after, after_params = id_before("search_message_fts.rowid", before)
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
            tsquery, tsparams = pg_tsquery(parsed)
            plan = (
                postgres.pg_plan(parsed, "conversations_message", "search_vector", how_many)
                if how_many <= results.COUNT_CAP
                else None
            )
            sql = (
                f"SELECT m.id{columns} FROM conversations_message m{conversation_join}"
                f" WHERE m.search_vector @@ {tsquery}{{range}}{extra}{{order}} LIMIT %s"
            )
            found = pg_newest_first(
                sql,
                tsparams,
                [*extra_params, how_many],
                how_many,
                before,
                "m.id",
                "conversations_message",
                plan,
            )
            return [(row[0], (row[1] or row[2]) if with_text else "") for row in found]
        return [(row[0], (row[1] or row[2]) if with_text else "") for row in fetchall(sql, params)]

    rows, next_cursor, limited = ranked_page(parsed, order, limit, cursor, fetch)
    total, total_is = count_matches(parsed, fetch, ("conversations_message", "search_vector"), bool(extra))
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
                else fallback_snippet(message.display_text, parsed),
            )
        )
    return SearchPage(
        kind="messages", hits=hits, next_cursor=next_cursor, limited=limited, total=total, total_is=total_is
    )


def _message_snippets(parsed: ParsedQuery, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    placeholders, id_params = id_list(ids)
    if connection.vendor == "sqlite":
        sql = (
            "SELECT rowid, snippet(search_message_fts, 0, %s, %s, '…', 24) FROM search_message_fts "
            f"WHERE search_message_fts MATCH %s AND rowid IN ({placeholders})"
        )
        return dict(fetchall(sql, [MARK_START, MARK_END, parsed.fts5, *id_params]))  # type: ignore[arg-type]
    tsquery, tsparams = pg_tsquery(parsed)
    body = schema.PG_MESSAGE_BODY.format(row="m")
    sql = (
        f"SELECT m.id, ts_headline('simple'::regconfig, {body}, {tsquery}, %s) "
        f"FROM conversations_message m WHERE m.id IN ({placeholders})"
    )
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    return dict(fetchall(sql, [*tsparams, options, *id_params]))  # type: ignore[arg-type]


# --- conversations ------------------------------------------------------------------------


def _conversations(
    parsed: ParsedQuery, order: str, limit: int, cursor: str | None, filters: Filters, hidden: list[int]
) -> SearchPage:
    extra, extra_params = _conversation_filters(
        filters, hidden, date_column="c.last_message_at", channel_column="c.channel"
    )

    def fetch(before: int | None, how_many: int, with_text: bool) -> list[tuple[int, str]]:
        if connection.vendor == "sqlite":
            after, after_params = id_before("search_conversation_fts.rowid", before)
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
            tsquery, tsparams = pg_tsquery(parsed)
            vector = schema.PG_CONVERSATION_VECTOR.format(row="c")
            # Bounded like messages: a word common in subjects but mostly in teams hidden
            # from the agent made the unbounded walk test every conversation.
            plan = (
                postgres.pg_plan(parsed, "search_conversation_vector", "to_tsvector", how_many)
                if how_many <= results.COUNT_CAP
                else None
            )
            sql = (
                f"SELECT c.id, c.subject FROM conversations_conversation c"
                f" WHERE {vector} @@ {tsquery}{{range}}{extra}{{order}} LIMIT %s"
            )
            found = pg_newest_first(
                sql,
                tsparams,
                [*extra_params, how_many],
                how_many,
                before,
                "c.id",
                "conversations_conversation",
                plan,
            )
            return [(row[0], row[1] if with_text else "") for row in found]
        return [(row[0], row[1] if with_text else "") for row in fetchall(sql, params)]

    rows, next_cursor, limited = ranked_page(parsed, order, limit, cursor, fetch)
    total, total_is = count_matches(parsed, fetch, ("search_conversation_vector", "to_tsvector"), bool(extra))
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
                snippet=fallback_snippet(conversation.subject, parsed, width=300),
            )
        )
    return SearchPage(
        kind="conversations",
        hits=hits,
        next_cursor=next_cursor,
        limited=limited,
        total=total,
        total_is=total_is,
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
    position = read_cursor(cursor, order)

    def fetch(before: int | None, how_many: int, with_text: bool) -> list[tuple[int, str]]:
        if connection.vendor == "sqlite":
            after, after_params = id_before("search_customer_fts.rowid", before)
            sql = (
                "SELECT search_customer_fts.rowid, cu.name, cu.preferred_name FROM search_customer_fts"
                " JOIN customers_customer cu ON cu.id = search_customer_fts.rowid"
                f" WHERE search_customer_fts MATCH %s{after}"
                " ORDER BY search_customer_fts.rowid DESC LIMIT %s"
            )
            params: list[Any] = [parsed.fts5, *after_params, how_many]
        else:
            tsquery, tsparams = pg_tsquery(parsed)
            after, after_params = id_before("cu.id", before)
            vector = schema.PG_CUSTOMER_VECTOR.format(row="cu")
            sql = (
                f"SELECT cu.id, cu.name, cu.preferred_name FROM customers_customer cu"
                f" WHERE {vector} @@ {tsquery}{after}"
                + pg_order(parsed, "cu.id", "search_customer_vector", "to_tsvector", how_many)
                + " LIMIT %s"
            )
            params = [*tsparams, *after_params, how_many]
        return [(row[0], f"{row[1]} {row[2]}") for row in fetchall(sql, params)]

    rows, next_cursor, limited = ranked_page(parsed, order, limit, cursor, fetch)
    total, total_is = count_matches(parsed, fetch, ("search_customer_vector", "to_tsvector"), False)
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
                snippet=fallback_snippet(label, parsed, width=300),
            )
        )
    return SearchPage(
        kind="customers", hits=hits, next_cursor=next_cursor, limited=limited, total=total, total_is=total_is
    )
