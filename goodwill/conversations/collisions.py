"""Who else is writing a reply to a conversation right now.

The composer asks before it sends a reply, so a customer does not get two answers. The
conversations app does not track presence itself: an app that does (live) registers a check at
start-up. With no check registered, nobody else is ever replying.
"""

from __future__ import annotations

from collections.abc import Callable

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation

# (conversation, asking agent) → the names of other agents replying to it now.
ReplyingCheck = Callable[[Conversation, Agent], list[str]]
_checks: list[ReplyingCheck] = []


def register_replying_check(check: ReplyingCheck) -> ReplyingCheck:
    """Register once, e.g. from an AppConfig.ready()."""
    if all(existing is not check for existing in _checks):
        _checks.append(check)
    return check


def others_replying(conversation: Conversation, agent: Agent) -> list[str]:
    """Names of the other agents replying to `conversation` right now, each once."""
    names: list[str] = []
    for check in _checks:
        names += [name for name in check(conversation, agent) if name not in names]
    return names
