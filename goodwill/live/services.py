"""Who is looking at a conversation right now, kept in Django's cache.

The cache is the database cache on one machine and Redis when GOODWILL_REDIS_URL is
set, so every web process sees the same presence. Each agent has an entry of its own
(one short-lived key per agent and conversation) so two agents' heartbeats never
overwrite each other; a roster key per conversation lists who may have an entry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation

# Heartbeats come every ~3 s; an agent whose last one is older than this has left.
PRESENCE_TTL_SECONDS = 12
ROSTER_TTL_SECONDS = 60 * 60


class PresenceState:
    VIEWING = "viewing"
    REPLYING = "replying"
    CHOICES = (VIEWING, REPLYING)


@dataclass(frozen=True)
class Presence:
    agent_id: int
    name: str
    state: str
    seen_at: float

    @property
    def is_replying(self) -> bool:
        return self.state == PresenceState.REPLYING


def _roster_key(conversation_id: int) -> str:
    return f"live:roster:{conversation_id}"


def _entry_key(conversation_id: int, agent_id: int) -> str:
    return f"live:presence:{conversation_id}:{agent_id}"


def record_presence(conversation: Conversation, *, agent: Agent, state: str) -> None:
    """Note that the agent is viewing (or replying to) the conversation just now."""
    if state not in PresenceState.CHOICES:
        state = PresenceState.VIEWING
    cache.set(
        _entry_key(conversation.pk, agent.pk),
        {"name": agent.name or agent.email, "state": state, "at": time.time()},
        PRESENCE_TTL_SECONDS,
    )
    roster: list[int] = cache.get(_roster_key(conversation.pk)) or []
    if agent.pk not in roster:
        # Drop agents whose entries expired so the roster stays short.
        alive = cache.get_many([_entry_key(conversation.pk, pk) for pk in roster])
        roster = [pk for pk in roster if _entry_key(conversation.pk, pk) in alive] + [agent.pk]
        cache.set(_roster_key(conversation.pk), roster, ROSTER_TTL_SECONDS)
    else:
        cache.touch(_roster_key(conversation.pk), ROSTER_TTL_SECONDS)


def leave_conversation(conversation: Conversation, *, agent: Agent) -> None:
    """The agent closed the conversation: others stop seeing them at once."""
    cache.delete(_entry_key(conversation.pk, agent.pk))


def presence_in(conversation: Conversation) -> list[Presence]:
    """Everyone whose heartbeat is fresh, longest-present first."""
    roster: list[int] = cache.get(_roster_key(conversation.pk)) or []
    if not roster:
        return []
    entries = cache.get_many([_entry_key(conversation.pk, pk) for pk in roster])
    cutoff = time.time() - PRESENCE_TTL_SECONDS
    present = []
    for pk in roster:
        entry = entries.get(_entry_key(conversation.pk, pk))
        if entry and entry["at"] >= cutoff:
            present.append(
                Presence(agent_id=pk, name=entry["name"], state=entry["state"], seen_at=entry["at"])
            )
    return present
