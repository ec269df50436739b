"""A small panel on the conversation page: the customer's data (export, erase) for admins."""

from __future__ import annotations

from django.http import HttpRequest

from goodwill.accounts.policy import Action, allows
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel
from goodwill.customers.models import Customer


def customer_data_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    if not allows(getattr(request, "user", None), Action.ADMINISTER):  # type: ignore[arg-type]
        return None
    return Panel("data/_customer_panel.html", {"customer_id": conversation.customer_id})


def customer_page_data_panel(request: HttpRequest, customer: Customer) -> Panel | None:
    """The same panel on the customer page (export and erasure are admin actions)."""
    if not allows(getattr(request, "user", None), Action.ADMINISTER):  # type: ignore[arg-type]
        return None
    return Panel("data/_customer_panel.html", {"customer_id": customer.pk})
