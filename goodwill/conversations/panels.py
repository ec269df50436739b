"""Panels beside a conversation, under the customer card.

Other apps (customer memory, promises, mood) add a panel by registering a function that
returns a template name and its context, or None when it has nothing to show. Nothing
is rendered for an app that has not registered, so there are no empty, titled boxes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from goodwill.conversations.models import Conversation


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[HttpRequest, Conversation], Panel | None]
_providers: list[tuple[int, PanelProvider]] = []


def register_panel(provider: PanelProvider, *, order: int = 100) -> PanelProvider:
    """Register once, e.g. from an AppConfig.ready(); lower `order` shows higher up."""
    if all(existing is not provider for _order, existing in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])
    return provider


def unregister_panel(provider: PanelProvider) -> None:
    _providers[:] = [item for item in _providers if item[1] is not provider]


def customer_panels(request: HttpRequest, conversation: Conversation) -> list[Panel]:
    panels = []
    for _order, provider in _providers:
        panel = provider(request, conversation)
        if panel is not None:
            panels.append(panel)
    return panels
