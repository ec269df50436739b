"""What live adds to the conversation page: presence above the composer, and the answer to
"is anyone else replying?" that the composer asks before sending."""

from __future__ import annotations

from django.http import HttpRequest

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel
from goodwill.live.selectors import others_replying


def live_panel(request: HttpRequest, conversation: Conversation) -> Panel:
    return Panel("live/_conversation_live.html")


def names_replying(conversation: Conversation, agent: Agent) -> list[str]:
    return [presence.name for presence in others_replying(conversation, agent)]
