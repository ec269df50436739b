"""Reads that depend on who is asking. A conversation someone may not see is a 404."""

from __future__ import annotations

import binascii
import json
import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import isqrt
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, Lookup, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.conversations.inbox_rows import InboxConversation, attach_inbox_details, read_rows
from goodwill.conversations.models import Conversation, Message, SavedView, Tag

# Who may see which conversation lives in `visibility`; these names stay importable from here.
from goodwill.conversations.visibility import (  # noqa: F401
    can_see_conversation,
    conversations_visible_to,
    get_conversation_for,
    restricted_team_ids_hidden_from,
)


def messages_of(conversation: Conversation) -> QuerySet[Message]:
    return (
        conversation.messages.select_related("author_agent", "author_customer")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


# --- inbox -------------------------------------------------------------------------

PAGE_SIZE = 50
SOLVED_RECENTLY = timedelta(days=7)

# Each sort is a list of (field, descending); "id" always ends it so the order is total.
SORTS: dict[str, list[tuple[str, bool]]] = {
    "recent": [("last_message_at", True), ("id", True)],
    "oldest": [("last_message_at", False), ("id", False)],
    "waiting": [("waiting_since", False), ("id", False)],
    "created": [("created_at", True), ("id", True)],
    "priority": [("priority", True), ("last_message_at", True), ("id", True)],
    "solved": [("solved_at", True), ("id", True)],
}
# Sorting on a nullable column only covers rows where it is set.
SORT_NEEDS: dict[str, Q] = {
    "waiting": Q(waiting_since__isnull=False),
    "solved": Q(solved_at__isnull=False),
}
DATETIME_SORT_FIELDS = {"last_message_at", "waiting_since", "created_at", "solved_at"}
# Sort fields that are not conversation columns: name → expression, annotated on the rows
# (e.g. listening's "most upset first" reads a column of its per-conversation mood).
SORT_ANNOTATIONS: dict[str, dict[str, Any]] = {}
FLOAT_SORT_FIELDS: set[str] = set()


def register_sort(
    name: str,
    fields: list[tuple[str, bool]],
    *,
    needs: Q | None = None,
    datetime_fields: tuple[str, ...] = (),
    annotations: dict[str, Any] | None = None,
    float_fields: tuple[str, ...] = (),
) -> None:
    """Add an inbox sort from another app (e.g. "time left" from expectations).

    `fields` as in SORTS, ending with ("id", …); `needs` limits the sort to rows where its
    nullable column is set; `datetime_fields` names the fields the cursor must read as dates,
    `float_fields` those it reads as numbers with a fraction. A field may be an expression
    over a related table (a feature's per-conversation row, joined one-to-one), named in
    `annotations` (name → expression, e.g. `F("listening_mood__upset_order")`): the rows
    carry it, so the cursor can read it. Give the sort an index that matches it, or its
    pages stop being an index range scan.
    """
    SORTS[name] = fields
    if needs is not None:
        SORT_NEEDS[name] = needs
    DATETIME_SORT_FIELDS.update(datetime_fields)
    FLOAT_SORT_FIELDS.update(float_fields)
    if annotations:
        SORT_ANNOTATIONS[name] = annotations


def with_sort_annotations(queryset: QuerySet[Conversation], sort: str) -> QuerySet[Conversation]:
    """`queryset` carrying the expressions `sort` orders by (none for a column sort)."""
    annotations = SORT_ANNOTATIONS.get(sort)
    return queryset.annotate(**annotations) if annotations else queryset


@dataclass(frozen=True)
class InboxFilter:
    """A filter from another app (listening's mood): the inbox offers it as a choice, saved
    views store it like the built-in ones, and `to_q(value)` gives its condition."""

    key: str
    label: str
    choices: tuple[tuple[str, str], ...]
    to_q: Callable[[str], Q]


INBOX_FILTERS: dict[str, InboxFilter] = {}


def register_filter(inbox_filter: InboxFilter) -> InboxFilter:
    INBOX_FILTERS[inbox_filter.key] = inbox_filter
    return inbox_filter


class LiteralIn(Lookup):
    """`field IN ('a', 'b')` with the constants written into the SQL, not bound.

    SQLite only uses a partial index when the query repeats the index's condition with
    literal values; with bound parameters it falls back to sorting every open row.
    Only for the app's own constants (checked here), never for user input.
    """

    lookup_name = "literal_in"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values or not all(
            isinstance(value, str) and SAFE_LITERAL.fullmatch(value) for value in values
        ):
            raise ValueError("literal_in takes a non-empty list of simple constants")
        quoted = ", ".join("'" + value + "'" for value in values)
        return f"{lhs} IN ({quoted})", tuple(lhs_params)


SAFE_LITERAL = re.compile(r"[a-z_]{1,20}")
Conversation._meta.get_field("status").register_lookup(LiteralIn)
CLOSED_STATUS_VALUES = [str(status) for status in Conversation.FINISHED_STATUSES]  # ["solved", "closed"]


def _open() -> Q:
    # Written exactly like the partial indexes' condition (NOT IN, literal values), so
    # SQLite and PostgreSQL both match the query to them.
    return ~Q(status__literal_in=CLOSED_STATUS_VALUES)


@dataclass(frozen=True)
class InboxView:
    slug: str
    label: str
    sort: str
    where: Callable[[Agent], Q]
    # (column, values): read one index range per value and merge, instead of sorting
    # every row that matches any of the values.
    fan_out: Callable[[Agent], tuple[str, list[Any]]] | None = None


def _team_ids(agent: Agent) -> list[int]:
    # Remembered on the agent object, which lives for one request.
    cached = getattr(agent, "_goodwill_team_ids", None)
    if cached is None:
        cached = list(agent.teams.values_list("id", flat=True))
        agent._goodwill_team_ids = cached  # type: ignore[attr-defined]
    return cached


BUILT_IN_VIEWS: dict[str, InboxView] = {
    view.slug: view
    for view in (
        InboxView("mine", "Mine", "recent", lambda agent: _open() & Q(assignee=agent)),
        InboxView("unassigned", "Unassigned", "recent", lambda agent: _open() & Q(assignee__isnull=True)),
        InboxView(
            "team",
            "My teams",
            "recent",
            lambda agent: _open() & Q(team_id__in=_team_ids(agent)),
            fan_out=lambda agent: ("team_id", _team_ids(agent)),
        ),
        InboxView("open", "All open", "recent", lambda agent: _open()),
        InboxView("pending", "Pending", "recent", lambda agent: Q(status=Conversation.Status.PENDING)),
        InboxView("on_hold", "On hold", "recent", lambda agent: Q(status=Conversation.Status.ON_HOLD)),
        InboxView(
            "solved",
            "Solved recently",
            "solved",
            lambda agent: Q(
                status=Conversation.Status.SOLVED, solved_at__gte=timezone.now() - SOLVED_RECENTLY
            ),
        ),
        InboxView(
            "waiting", "Waiting longest", "waiting", lambda agent: _open() & Q(waiting_since__isnull=False)
        ),
    )
}


def register_inbox_view(view: InboxView) -> InboxView:
    """Add a built-in view from another app (e.g. "Upset customers" from listening).

    Call from AppConfig.ready(). The view's `where` should match an index in its sort
    order, like the views above, so its page stays an index range scan.
    """
    BUILT_IN_VIEWS[view.slug] = view
    return view


def saved_views_for(agent: Agent) -> QuerySet[SavedView]:
    return SavedView.objects.filter(Q(owner=agent) | Q(is_shared=True)).order_by("name", "id")


def get_saved_view_for(agent: Agent, pk: int) -> SavedView:
    view = saved_views_for(agent).filter(pk=pk).first()
    if view is None:
        raise Http404("No such view")
    return view


# Reading one of a tag's conversations and sorting it costs about as much as this many
# steps of a walk down a sort index (an index entry, its row, a probe of the tag links);
# measured on SQLite and PostgreSQL at 100k and 1M conversations.
DRIVE_ROW_IN_WALK_STEPS = 3.0
# Sorts an index delivers over every status (conv_all_recent, conv_created,
# conv_all_priority), so a walk never has to sort.
SORTS_INDEXED_FOR_ALL = frozenset({"recent", "oldest", "created", "priority"})


class TaggedWith(Exists):
    """The conversation carries this tag: a probe of the tag links' (conversation, tag) index."""

    def __init__(self, tag_id: int) -> None:
        links = Conversation.tags.through.objects.filter(conversation_id=OuterRef("pk"), tag_id=tag_id)
        super().__init__(links)
        self.tag_id = tag_id


def _tag_terms_for_sort(where: Q, sort: str | None, size: int = PAGE_SIZE) -> Q:
    """Choose, for each tag in a filter, the cheaper way to a page in `sort` order.

    A common tag under a sort that an index delivers stays an EXISTS probe, so the
    database walks that index and stops after a page (SQLite never weighs the probe's
    cost itself: left as a join, it reads every tagged conversation and sorts them).
    A rare tag, or any tag under another sort, becomes `id IN (the tag's conversations)`,
    which reads only the tag's links and sorts those.

    A walk fills a page after about `size × conversations / tagged` steps; reading the
    tag costs `tagged` rows. So a tag is common when tagged² ≥ size × conversations / 3:
    about 1,300 conversations in 100k, 4,100 in 1M. Counting stops at that number.
    `sort=None` is for a capped count, which has no order to walk: every tag reads its
    links (as an EXISTS, a rare tag would make SQLite probe every conversation).
    """
    if where.connector != Q.AND or where.negated:
        return where
    if not any(isinstance(child, TaggedWith) for child in where.children):
        return where
    links = Conversation.tags.through.objects
    common_from = None
    if sort in SORTS_INDEXED_FOR_ALL:
        newest_id = Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        common_from = isqrt(int((size + 1) * newest_id / DRIVE_ROW_IN_WALK_STEPS)) + 1
    children: list[Any] = []
    for child in where.children:
        if isinstance(child, TaggedWith):
            common = (
                common_from is not None
                and links.filter(tag_id=child.tag_id)[:common_from].count() >= common_from
            )
            if not common:
                child = Q(pk__in=links.filter(tag_id=child.tag_id).values("conversation_id"))
        children.append(child)
    return Q(*children)


def filters_q(filters: dict[str, Any], agent: Agent) -> Q:
    """The conditions of a saved or ad-hoc filter (see forms.InboxFilterForm for the keys)."""
    q = Q()
    if filters.get("status"):
        q &= Q(status__in=filters["status"])
    if filters.get("priority"):
        q &= Q(priority__in=[int(value) for value in filters["priority"]])
    if filters.get("channel"):
        q &= Q(channel__in=filters["channel"])
    assignee = filters.get("assignee")
    if assignee == "me":
        q &= Q(assignee=agent)
    elif assignee == "none":
        q &= Q(assignee__isnull=True)
    elif assignee and "@" in str(assignee):
        q &= Q(assignee__email=str(assignee).lower())
    elif assignee:
        q &= Q(assignee_id=int(assignee))
    team = filters.get("team")
    if team == "mine":
        q &= Q(team_id__in=_team_ids(agent))
    elif team == "none":
        q &= Q(team__isnull=True)
    elif team:
        q &= Q(team_id=int(team))
    if filters.get("tag"):
        name = str(filters["tag"]).strip().lower()
        tag_id = Tag.objects.filter(name=name).values_list("id", flat=True).first()
        q &= Q(TaggedWith(tag_id)) if tag_id is not None else Q(pk__in=[])
    if filters.get("need"):
        q &= Q(need_id=int(filters["need"]))
    if filters.get("created_after"):
        q &= Q(created_at__date__gte=filters["created_after"])
    if filters.get("created_before"):
        q &= Q(created_at__date__lte=filters["created_before"])
    for key, value in (filters.get("custom") or {}).items():
        q &= Q(**{f"custom_fields__{key}": value})
    for key, extra in INBOX_FILTERS.items():
        if filters.get(key) in dict(extra.choices):
            q &= extra.to_q(str(filters[key]))
    return q


def encode_cursor(values: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    return urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> list[Any] | None:
    """The sort values of the last row shown, or None for a cursor that does not parse."""
    fields = SORTS[sort]
    try:
        raw = json.loads(urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        values: list[Any] = []
        for (field, _desc), value in zip(fields, raw, strict=True):
            if field in DATETIME_SORT_FIELDS:
                values.append(datetime.fromisoformat(value))
            elif field in FLOAT_SORT_FIELDS:
                values.append(float(value))
            else:
                values.append(int(value))
        return values
    except (ValueError, TypeError, binascii.Error):
        return None


def _after(sort: str, values: list[Any]) -> Q:
    """Rows strictly after `values` in `sort` order (keyset pagination, never OFFSET).

    The leading `<=` / `>=` term is implied by the OR below it, but it is a plain range
    on the index's first sort column, so the database seeks to the page instead of
    scanning from the top.
    """
    fields = SORTS[sort]
    first, first_descending = fields[0]
    q = Q()
    for index, (field, descending) in enumerate(fields):
        step = Q(**{f"{field}__{'lt' if descending else 'gt'}": values[index]})
        for previous in range(index):
            step &= Q(**{fields[previous][0]: values[previous]})
        q |= step
    return Q(**{f"{first}__{'lte' if first_descending else 'gte'}": values[0]}) & q


@dataclass
class InboxPage:
    rows: list[InboxConversation]
    next_cursor: str | None
    sort: str


def inbox_page(
    agent: Agent,
    *,
    where: Q,
    sort: str,
    cursor: str = "",
    size: int = PAGE_SIZE,
    fan_out: tuple[str, list[Any]] | None = None,
) -> InboxPage:
    """One page of conversations the agent may see, in `sort` order, after `cursor`."""
    sort = sort if sort in SORTS else "recent"
    where = _tag_terms_for_sort(where, sort, size)
    if fan_out is None:
        fan_out = _status_fan_out(where, sort)
    queryset = with_sort_annotations(conversations_visible_to(agent), sort).filter(where)
    if sort in SORT_NEEDS:
        queryset = queryset.filter(SORT_NEEDS[sort])
    values = decode_cursor(cursor, sort) if cursor else None
    if values is not None:
        queryset = queryset.filter(_after(sort, values))
    order = [f"-{field}" if descending else field for field, descending in SORTS[sort]]
    if fan_out is not None and len(fan_out[1]) > 1:
        queryset = with_sort_annotations(
            Conversation.objects.filter(pk__in=_merged_ids(queryset, sort, fan_out, size + 1)), sort
        )
    page = queryset.order_by(*order)[: size + 1]
    rows = _fetch_page(page, [field for field, _desc in SORTS[sort]], walk=sort in WALK_SORTS)
    attach_inbox_details(rows)
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = encode_cursor(rows[-1].sort_values)
    return InboxPage(rows=rows, next_cursor=next_cursor, sort=sort)


# Sorts whose every view has a partial index in sort order (`conv_open*_sla_due`): the page must
# walk it and stop after one page. PostgreSQL under-estimates "due before X" among open
# conversations (the two conditions are correlated: only open ones have a deadline), so at 1M it
# bitmap-scanned all 67,000 due ones, joined their customers and sorted them: 300 ms instead of
# 0.4 ms (bench/README.md "PostgreSQL at 1,000,000 conversations, stop 13").
WALK_SORTS = frozenset({"time_left"})


def _fetch_page(
    page: QuerySet[Conversation, Conversation], sort_fields: list[str], *, walk: bool
) -> list[InboxConversation]:
    if not walk or connection.vendor != "postgresql":
        return read_rows(page, sort_fields)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # a sort is then the plan of last resort
        return read_rows(page, sort_fields)


# Columns with an index (column, status, last_message_at, id) over every conversation.
STATUS_SECOND_INDEXED = frozenset({"assignee", "assignee_id", "team", "team_id"})


def _mentions_status(q: Q) -> bool:
    return any(
        _mentions_status(child)
        if isinstance(child, Q)
        else isinstance(child, tuple) and child[0].startswith("status")
        for child in q.children
    )


def _status_fan_out(where: Q, sort: str) -> tuple[str, list[Any]] | None:
    """One index range per status for an ad-hoc filter on SQLite, instead of a sort.

    Filtered by an assignee, a team or several statuses, SQLite seeks the index that
    matches those terms and then sorts every matching row (the demo agent's 227,000
    conversations at 1M: 0.7 s). Read one status at a time, the indexes (assignee,
    status, last_message_at, id), (team, status, …) and (status, last_message_at, id)
    give each range in order, and a page is merged from them, like the "My teams" view.
    PostgreSQL's planner walks a sort index by itself, so it keeps one query.
    """
    if connection.vendor != "sqlite" or sort not in ("recent", "oldest"):
        return None
    if where.connector != Q.AND or where.negated:
        return None
    statuses: list[Any] | None = None
    narrowed = False
    for child in where.children:
        if isinstance(child, tuple):
            name = child[0]
            if name == "status__in":
                statuses = list(child[1])
            elif name.startswith("status"):
                return None
            elif name.split("__")[0] in STATUS_SECOND_INDEXED:
                narrowed = True
        elif isinstance(child, Q) and _mentions_status(child):
            return None  # e.g. a built-in view's "open": it has partial indexes of its own
    if statuses is not None:
        return ("status", statuses) if len(statuses) > 1 else None
    return ("status", list(Conversation.Status.values)) if narrowed else None


def _merged_ids(
    queryset: QuerySet[Conversation], sort: str, fan_out: tuple[str, list[Any]], limit: int
) -> list[int]:
    """The first `limit` ids over several index ranges (one per fan-out value), merged."""
    fields = SORTS[sort]
    order = [f"-{field}" if descending else field for field, descending in fields]
    column, choices = fan_out
    keyed: list[tuple[Any, ...]] = []
    for choice in choices:
        keyed.extend(
            queryset.filter(**{column: choice}).order_by(*order).values_list(*[f for f, _d in fields])[:limit]
        )

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        # Every sort column is a number or a date-time; negate timestamps for descending.
        return tuple(
            (-(value.timestamp() if isinstance(value, datetime) else value))
            if descending
            else (value.timestamp() if isinstance(value, datetime) else value)
            for value, (_field, descending) in zip(row, fields, strict=True)
        )

    keyed.sort(key=key)
    return [row[-1] for row in keyed[:limit]]
