"""Panels other apps add to the conversation page, without the page knowing those apps.

An app registers a function that returns a template name and its context, or None when it has
nothing to show, for one of the page's slots:

- `SIDEBAR` (the default): under the customer card (customer memory, promises, mood…).
- `COMPOSER`: just above the composer (live presence and the "someone else is replying" guard).

Nothing is rendered for an app that has not registered, so there are no empty, titled boxes.
The included template gets the page's context plus `panel` (the provider's context).

Panels are cheap when they share: `shared()` keeps what one panel read for the others of the
same request, and `has_rows()` answers "does this conversation have any X?" for every
registered table (`register_rows`) with one query per page, so a panel with nothing to show
skips its own query. Most conversations have no survey, complaint, call-back, promise,
linked request, recovery case or rule run, and each empty panel used to cost a query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.http import HttpRequest

from goodwill.conversations.models import Conversation

SIDEBAR = "sidebar"
COMPOSER = "composer"
SLOTS = (SIDEBAR, COMPOSER)


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[HttpRequest, Conversation], Panel | None]
_providers: dict[str, list[tuple[int, PanelProvider]]] = {slot: [] for slot in SLOTS}


def register_panel(provider: PanelProvider, *, order: int = 100, slot: str = SIDEBAR) -> PanelProvider:
    """Register once, e.g. from an AppConfig.ready(); lower `order` shows higher up."""
    providers = _providers[slot]
    if all(existing is not provider for _order, existing in providers):
        providers.append((order, provider))
        providers.sort(key=lambda item: item[0])
    return provider


def unregister_panel(provider: PanelProvider, *, slot: str = SIDEBAR) -> None:
    _providers[slot][:] = [item for item in _providers[slot] if item[1] is not provider]


def panels_for(slot: str, request: HttpRequest, conversation: Conversation) -> list[Panel]:
    panels = []
    for _order, provider in _providers[slot]:
        panel = provider(request, conversation)
        if panel is not None:
            panels.append(panel)
    return panels


def customer_panels(request: HttpRequest, conversation: Conversation) -> list[Panel]:
    return panels_for(SIDEBAR, request, conversation)


# --- what panels of one page share ---------------------------------------------------------

T = TypeVar("T")
_SHARED = "_goodwill_panel_shared"


def shared(request: HttpRequest, key: object, load: Callable[[], T]) -> T:
    """`load()` once per request and key: what one panel (or the page) read, the others reuse.

    Keys name what was read and for which row, e.g. `("memory.current_facts", customer.pk)`.
    Only for reads of the request's own state: a request that writes after reading must not
    reuse the value.
    """
    store: dict[object, Any] = request.__dict__.setdefault(_SHARED, {})
    if key not in store:
        store[key] = load()
    return store[key]  # type: ignore[no-any-return]


def remember(request: HttpRequest, key: object, value: T) -> T:
    """Put what the page has already loaded where panels find it through `shared()`."""
    request.__dict__.setdefault(_SHARED, {})[key] = value
    return value


def forget_shared(request: HttpRequest) -> None:
    """Drop what this request has read (after it changed something and shows the page again)."""
    request.__dict__.pop(_SHARED, None)


# Tables that hold rows about a conversation, found by one column (a foreign key to it).
_row_sources: list[tuple[type[Model], str]] = []
_rows_sql: dict[str, str] = {}  # by database vendor, rebuilt when the list changes
_rows_lock = threading.Lock()


def register_rows(model: type[Model], field_name: str = "conversation") -> None:
    """Let `has_rows(…, model, field_name)` be answered by the page's one existence query."""
    with _rows_lock:
        if (model, field_name) not in _row_sources:
            _row_sources.append((model, field_name))
            _rows_sql.clear()


def unregister_rows(model: type[Model], field_name: str = "conversation") -> None:
    with _rows_lock:
        if (model, field_name) in _row_sources:
            _row_sources.remove((model, field_name))
            _rows_sql.clear()


def _existence_sql(sources: list[tuple[type[Model], str]]) -> str:
    quote = connection.ops.quote_name
    checks = []
    for model, field_name in sources:
        column = str(model._meta.get_field(field_name).column)  # type: ignore[union-attr]
        table = quote(model._meta.db_table)
        checks.append(f"EXISTS (SELECT 1 FROM {table} WHERE {quote(column)} = %s)")  # noqa: S608 (model names)
    return "SELECT " + ", ".join(checks)


def _rows_present(conversation_id: int) -> dict[tuple[type[Model], str], bool]:
    """Which registered tables have a row for the conversation: one query, built once per process."""
    with _rows_lock:
        sources = list(_row_sources)
        sql = _rows_sql.get(connection.vendor)
        if sql is None:
            sql = _rows_sql[connection.vendor] = _existence_sql(sources)
    if not sources:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [conversation_id] * len(sources))
        flags = cursor.fetchone()
    return {source: bool(flag) for source, flag in zip(sources, flags, strict=True)}


def has_rows(
    request: HttpRequest, conversation: Conversation, model: type[Model], field_name: str = "conversation"
) -> bool:
    """Whether `model` has a row whose `field_name` is this conversation (read once per page).

    A table nobody registered is asked on its own, so the answer is right either way.
    """
    present = shared(request, ("conversations.rows", conversation.pk), lambda: _rows_present(conversation.pk))
    found = present.get((model, field_name))
    if found is None:
        return model._default_manager.filter(**{f"{field_name}_id": conversation.pk}).exists()
    return found


# --- the customer page --------------------------------------------------------------------
# The same idea for the customer page (conversations/views/customer.py): a provider gets the
# request and the customer and returns a Panel or None. `MAIN` panels show in the page's main
# column (the customer timeline), `SIDEBAR` ones beside it (facts, possible duplicates…).

MAIN = "main"
CustomerPanelProvider = Callable[[HttpRequest, Any], Panel | None]
_customer_providers: dict[str, list[tuple[int, CustomerPanelProvider]]] = {MAIN: [], SIDEBAR: []}


def register_customer_panel(
    provider: CustomerPanelProvider, *, order: int = 100, slot: str = SIDEBAR
) -> CustomerPanelProvider:
    """Register once, e.g. from an AppConfig.ready(); lower `order` shows higher up."""
    providers = _customer_providers[slot]
    if all(existing is not provider for _order, existing in providers):
        providers.append((order, provider))
        providers.sort(key=lambda item: item[0])
    return provider


def unregister_customer_panel(provider: CustomerPanelProvider, *, slot: str = SIDEBAR) -> None:
    _customer_providers[slot][:] = [item for item in _customer_providers[slot] if item[1] is not provider]


def customer_page_panels(slot: str, request: HttpRequest, customer: Any) -> list[Panel]:
    panels = []
    for _order, provider in _customer_providers[slot]:
        panel = provider(request, customer)
        if panel is not None:
            panels.append(panel)
    return panels


def page_messages(request: HttpRequest, conversation: Conversation) -> list[Any] | None:
    """The conversation's messages in time order as the page's timeline loaded them (objects
    with `pk`, `direction`, `kind`, `text`, `created_at`…), or None outside the page."""
    store: dict[object, Any] = request.__dict__.get(_SHARED, {})
    return store.get(("conversations.messages", conversation.pk))  # type: ignore[no-any-return]


def remember_messages(request: HttpRequest, conversation: Conversation, messages: list[Any]) -> None:
    remember(request, ("conversations.messages", conversation.pk), messages)
