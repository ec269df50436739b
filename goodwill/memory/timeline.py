"""One timeline per customer, from sources that other apps register.

A source is `source(agent, customer, cursor, limit) -> Iterable[Entry]`: at most `limit`
entries of its own `kind`, newest first, strictly older than `cursor` in the timeline's order
(see `older_than`), and only what `agent` may see. The timeline asks every source for one
page, merges them and hands back a cursor for the next page, so a page costs one or two
indexed queries per source however long the customer's history is (keyset paging).

    # goodwill/promises/apps.py, ready():
    from goodwill.memory.timeline import register_timeline_source
    register_timeline_source(promise_entries)

Built in: the customer's events (messages received and sent, notes, calls, walk-ins, changes,
across every conversation and channel, without those of restricted teams the agent is not in)
and the facts the team learned.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Message
from goodwill.conversations.templatetags.workspace import describe_event
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.core.models import Event
from goodwill.customers.models import Customer
from goodwill.memory.models import Fact
from goodwill.memory.selectors import facts_visible_to

PAGE = 25
EXCERPT = 280
MESSAGE_EVENTS = {
    Event.Kind.MESSAGE_RECEIVED,
    Event.Kind.REPLY_SENT,
    Event.Kind.NOTE_ADDED,
    Event.Kind.CALL_LOGGED,
    Event.Kind.WALK_IN_LOGGED,
}

# Labels looked up once: Django's get_FOO_display() flattens the choices on every call.
KIND_LABELS = dict(Event.Kind.choices)
CATEGORY_LABELS = dict(Fact.Category.choices)
EVENT_COLUMNS = (
    "id",
    "kind",
    "created_at",
    "subject_id",
    "before",
    "after",
    "customer_id",
    "actor__name",
    "actor__email",
    "conversation__number",
    "conversation__subject",
)


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: entries older than (at, kind, id) come next."""

    at: datetime
    kind: str
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.kind}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Raises ValueError for anything that is not a cursor this module made."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at, kind, pk = raw.split("|")
            when = datetime.fromisoformat(at)
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError("Not a timeline cursor.") from error
        if when.tzinfo is None or not pk.isdigit() or not kind:
            raise ValueError("Not a timeline cursor.")
        return cls(at=when, kind=kind, id=int(pk))


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # the source's name, e.g. "event", "fact", "promise"
    id: int  # unique within the kind
    title: str
    body: str = ""
    url: str = ""
    actor: str = ""
    label: str = ""  # a short tag shown before the title ("Email", "Fact", "Promise")

    @property
    def cursor(self) -> Cursor:
        return Cursor(at=self.at, kind=self.kind, id=self.id)

    @property
    def sort_key(self) -> tuple[datetime, str, int]:
        return (self.at, self.kind, self.id)


Source = Callable[[Agent, Customer, "Cursor | None", int], Iterable[Entry]]
_sources: list[Source] = []


def register_timeline_source(source: Source) -> Source:
    """Register once, e.g. from an AppConfig.ready()."""
    if all(existing is not source for existing in _sources):
        _sources.append(source)
    return source


def unregister_timeline_source(source: Source) -> None:
    _sources[:] = [existing for existing in _sources if existing is not source]


def older_than(queryset: QuerySet[Any], cursor: Cursor | None, kind: str, at_field: str) -> QuerySet[Any]:
    """Rows of source `kind` that come after `cursor` in the timeline's newest-first order.

    The order is (at, kind, id) descending; written as a range on `at_field` (so an index on
    (customer, at) is walked, never sorted) minus the ties already shown."""
    if cursor is None:
        return queryset
    if kind < cursor.kind:
        return queryset.filter(**{f"{at_field}__lte": cursor.at})
    if kind > cursor.kind:
        return queryset.filter(**{f"{at_field}__lt": cursor.at})
    return queryset.filter(**{f"{at_field}__lte": cursor.at}).exclude(
        **{at_field: cursor.at, "pk__gte": cursor.id}
    )


def customer_timeline(
    agent: Agent, customer: Customer, *, cursor: Cursor | None = None, limit: int = PAGE
) -> tuple[list[Entry], Cursor | None]:
    """One page of the customer's timeline, newest first, and the cursor of the next page."""
    entries: list[Entry] = []
    for source in _sources:
        entries.extend(source(agent, customer, cursor, limit + 1))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    page = entries[:limit]
    return page, (page[-1].cursor if len(entries) > limit else None)


# --- built-in sources ------------------------------------------------------------------------


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def event_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    """The customer's events across every conversation and channel, with message excerpts."""
    events = Event.objects.filter(customer=customer)
    hidden = restricted_team_ids_hidden_from(agent)
    if hidden:
        events = events.filter(
            Q(conversation__isnull=True)
            | Q(conversation__team__isnull=True)
            | ~Q(conversation__team_id__in=hidden)
        )
    rows = list(
        older_than(events, cursor, "event", "created_at")
        .select_related("actor", "conversation")
        .only(*EVENT_COLUMNS)
        .order_by("-created_at", "-id")[:limit]
    )
    message_ids = [int(e.subject_id) for e in rows if e.kind in MESSAGE_EVENTS and e.subject_id.isdigit()]
    texts = {}
    if message_ids:
        texts = {
            pk: new or text
            for pk, new, text in Message.objects.filter(pk__in=message_ids).values_list(
                "pk", "new_text", "text"
            )
        }
    entries = []
    pattern = reverse("conversations:detail", args=[0])  # one reverse, not one per entry
    for event in rows:
        conversation = event.conversation
        url = pattern.replace("/0/", f"/{conversation.number}/") if conversation is not None else ""
        title = describe_event(event)
        if (
            event.kind == Event.Kind.CUSTOMER_CHANGED
            and isinstance(event.before, dict)
            and event.before.get("merged_customer")
        ):
            title = f"merged customer record {event.before['merged_customer']} ({event.before.get('name') or 'no name'}) into this one"
        if conversation is not None:
            title = f"{title} on #{conversation.number} {conversation.subject}"
        body = texts.get(int(event.subject_id), "") if event.subject_id.isdigit() else ""
        entries.append(
            Entry(
                at=event.created_at,
                kind="event",
                id=event.pk,
                title=title,
                body=_excerpt(body),
                url=f"{url}#m{event.subject_id}" if body and url else url,
                actor=event.actor.display_name if event.actor is not None else "Goodwill",
                label=KIND_LABELS.get(event.kind, event.kind),
            )
        )
    return entries


def fact_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Facts the team learned, when it learned them."""
    facts = older_than(facts_visible_to(agent, customer), cursor, "fact", "learned_at")
    page = reverse("conversations:customer", args=[customer.pk])
    return [
        Entry(
            at=fact.learned_at,
            kind="fact",
            id=fact.pk,
            title=f"Learned ({CATEGORY_LABELS[fact.category].lower()})",
            body=fact.text + (" — outdated" if fact.is_outdated else ""),
            url=f"{page}#fact-{fact.pk}",
            actor=fact.learned_by.display_name if fact.learned_by is not None else "Goodwill",
            label="Fact",
        )
        for fact in facts.select_related("learned_by")
        .only("id", "category", "text", "learned_at", "outdated_at", "learned_by__name", "learned_by__email")
        .order_by("-learned_at", "-id")[:limit]
    ]


def conversation_rows_visible_to(agent: Agent, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Rows of other apps that belong to a conversation: without those of restricted teams the
    agent is not in (the same rule as the events above)."""
    hidden = restricted_team_ids_hidden_from(agent)
    if hidden:
        queryset = queryset.filter(Q(conversation__team__isnull=True) | ~Q(conversation__team_id__in=hidden))
    return queryset


def conversation_url(number: int) -> str:
    return reverse("conversations:detail", args=[number])
