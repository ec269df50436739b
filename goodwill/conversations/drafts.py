"""Checks other apps run on the draft as the agent types, without the composer knowing them.

The composer posts its form (debounced, never blocking typing or sending) to
`/c/<number>/draft-check`; every registered check gets the request, the conversation, the
draft's text and its kind ("reply", "note", "phone", "walk_in") and returns a `Panel` to show
under the composer, or None. The tone coach and the promise ledger are checks.

A panel's template may offer one-click fixes without any script of its own; workspace.js
handles these buttons on the draft textarea:

    <button type="button" data-draft-replace="you failed to" data-draft-with="it looks like we didn't">
    <button type="button" data-draft-insert="start" data-draft-with="Hi Maria,\n\n">
    <button type="button" data-draft-insert="end" data-draft-with="\n\nI'll update you by Friday.">

Each fix changes the text, puts the caret after it and fires `input`, so the checks (and the
draft save) run again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel

DraftCheck = Callable[[HttpRequest, Conversation, str, str], Panel | None]
_checks: list[tuple[int, DraftCheck]] = []


def register_draft_check(check: DraftCheck, *, order: int = 100) -> DraftCheck:
    """Register once, e.g. from an AppConfig.ready(); lower `order` shows higher up."""
    if all(existing is not check for _order, existing in _checks):
        _checks.append((order, check))
        _checks.sort(key=lambda item: item[0])
    return check


def unregister_draft_check(check: DraftCheck) -> None:
    _checks[:] = [item for item in _checks if item[1] is not check]


def has_draft_checks() -> bool:
    return bool(_checks)


def draft_panels(request: HttpRequest, conversation: Conversation, text: str, kind: str) -> list[Panel]:
    panels = []
    for _order, check in _checks:
        panel = check(request, conversation, text, kind)
        if panel is not None:
            panels.append(panel)
    return panels
