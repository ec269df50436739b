"""A small panel on the conversation page: the customer's data (export, erase) for admins."""

from __future__ import annotations

from django.http import HttpRequest

from goodwill.accounts.policy import Action, allows
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel


def customer_data_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    if not allows(getattr(request, "user", None), Action.ADMINISTER):  # type: ignore[arg-type]
        return None
    return Panel("data/_customer_panel.html", {"customer_id": conversation.customer_id})
