"""Panels other apps add to the conversation page, without the page knowing those apps.

An app registers a function that returns a template name and its context, or None when it has
nothing to show, for one of the page's slots:

- `SIDEBAR` (the default): under the customer card (customer memory, promises, mood…).
- `COMPOSER`: just above the composer (live presence and the "someone else is replying" guard).

Nothing is rendered for an app that has not registered, so there are no empty, titled boxes.
The included template gets the page's context plus `panel` (the provider's context).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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
