"""How the ledger shows in the conversation pages: the composer check, the sidebar panel, the row
badge and the "Promises due" inbox view (registered by PromisesConfig.ready())."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows
from goodwill.conversations.badges import Badge
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows
from goodwill.conversations.selectors import InboxView
from goodwill.promises.models import Promise
from goodwill.promises.selectors import conversation_promises, overdue_conversation_ids
from goodwill.promises.services import draft_promises

COMPOSED_KINDS = {"reply", "phone", "walk_in"}  # a note is not said to the customer


def draft_check(request: HttpRequest, conversation: Conversation, text: str, kind: str) -> Panel | None:
    agent: Agent = request.user  # type: ignore[assignment]
    if kind not in COMPOSED_KINDS or not allows(agent, Action.REPLY) or not text.strip():
        return None
    found = draft_promises(conversation, agent, text)
    if not found:
        return None
    zone = agent.zone
    items = [
        {"promise": p, "due_local": p.due.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if p.due else ""}
        for p in found
    ]
    return Panel(
        "promises/_draft_check.html", {"items": items, "conversation": conversation, "zone": zone.key}
    )


def sidebar_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    agent: Agent = request.user  # type: ignore[assignment]
    promises: list[Promise] | None = None if has_rows(request, conversation, Promise) else []
    return Panel("promises/_sidebar.html", sidebar_context(agent, conversation, promises=promises))


def sidebar_context(
    agent: Agent, conversation: Conversation, *, promises: list[Promise] | None = None, **extra: object
) -> dict[str, object]:
    return {
        "promises": conversation_promises(conversation.pk) if promises is None else promises,
        "conversation": conversation,
        "can_promise": allows(agent, Action.REPLY),
        "zone": agent.zone.key,
        **extra,
    }


def row_badges(conversation_ids: list[int]) -> dict[int, list[Badge]]:
    badge = Badge("promise due", "promise-due", "A promise made on this conversation is past its due time")
    return {pk: [badge] for pk in overdue_conversation_ids(conversation_ids)}


def _due(agent: Agent) -> Q:
    # The conversation's copy of "an open promise is past its due time" (promises.services keeps
    # it), so a page walks the partial index conv_promise_overdue_recent and stops after one page.
    # Asked of the promises, PostgreSQL walked the newest conversations probing each for one
    # (54,000 rows at 1M: 56 ms), as the overdue promises sit in older conversations.
    return Q(promise_overdue=True)


DUE_VIEW = InboxView("promises_due", "Promises due", "recent", _due)
