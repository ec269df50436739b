"""Reads for live updates: who else is here, and has anything changed since the client looked."""

from __future__ import annotations

from goodwill.accounts.models import Agent
from goodwill.conversations.markers import (  # noqa: F401 - the markers are asked for from here too
    STATE_FIELDS,
    Marker,
    conversation_marker,
    marker_of,
    state_digest,
)
from goodwill.conversations.models import Conversation
from goodwill.live.services import Presence, presence_in


def others_present(conversation: Conversation, agent: Agent) -> list[Presence]:
    return [presence for presence in presence_in(conversation) if presence.agent_id != agent.pk]


def others_replying(conversation: Conversation, agent: Agent) -> list[Presence]:
    return [presence for presence in others_present(conversation, agent) if presence.is_replying]
