from __future__ import annotations

from typing import Any

from django import template

from goodwill.conversations.models import Conversation
from goodwill.live.selectors import conversation_marker, others_present

register = template.Library()


@register.simple_tag(takes_context=True)
def live_context(context: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
    """What the live partial needs at render time: the marker and who else is here."""
    request = context.get("request")
    agent = getattr(request, "user", None)
    others = others_present(conversation, agent) if agent is not None and agent.is_authenticated else []
    return {
        # The page computes the marker of what it shows; other callers ask the database.
        "marker": context.get("live_marker") or conversation_marker(conversation.pk),
        "others": others,
        "replying": [presence for presence in others if presence.is_replying],
    }
