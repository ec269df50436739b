"""Badges other apps put on inbox rows and on timeline messages, without the pages knowing those
apps (listening's mood, for one).

An app registers, from its AppConfig.ready(), a function that takes the ids on the page
(conversation ids for inbox rows, message ids for the timeline) and returns the badges per id.
It is called once per page, so it should read all of them in one query. Badges are for agents:
the customer portal never shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape


@dataclass(frozen=True)
class Badge:
    label: str
    kind: str  # a CSS class suffix: `badge-{kind}`
    title: str = ""  # the longer explanation on hover

    def html(self) -> str:
        title = f' title="{escape(self.title)}"' if self.title else ""
        return f'<span class="badge badge-{escape(self.kind)}"{title}>{escape(self.label)}</span>'


BadgeProvider = Callable[[list[int]], dict[int, list[Badge]]]
ROW = "row"  # inbox rows, by conversation id
MESSAGE = "message"  # timeline messages, by message id
_providers: dict[str, list[BadgeProvider]] = {ROW: [], MESSAGE: []}


def register_badges(provider: BadgeProvider, *, slot: str) -> BadgeProvider:
    """Register once (e.g. from AppConfig.ready()) for `ROW` or `MESSAGE`."""
    if provider not in _providers[slot]:
        _providers[slot].append(provider)
    return provider


def unregister_badges(provider: BadgeProvider, *, slot: str) -> None:
    _providers[slot][:] = [existing for existing in _providers[slot] if existing is not provider]


def badges_for(slot: str, ids: list[int]) -> dict[int, list[Badge]]:
    """Every registered app's badges for these ids (one call per app), by id."""
    found: dict[int, list[Badge]] = {}
    if not ids:
        return found
    for provider in _providers[slot]:
        for pk, badges in provider(ids).items():
            found.setdefault(pk, []).extend(badges)
    return found


def badges_html(badges: list[Badge] | tuple[Badge, ...]) -> str:
    return "".join(badge.html() for badge in badges)
