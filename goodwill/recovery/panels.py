"""The recovery panel beside a conversation and on the customer page: its cases, and opening one by hand."""

from __future__ import annotations

from django.http import HttpRequest

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, allows
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows
from goodwill.customers.models import Customer
from goodwill.recovery.forms import OpenCaseForm
from goodwill.recovery.models import RecoveryCase
from goodwill.recovery.selectors import cases_of_conversation


def conversation_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    agent: Agent = request.user  # type: ignore[assignment]
    cases = cases_of_conversation(conversation.pk) if has_rows(request, conversation, RecoveryCase) else []
    may = allows(agent, Action.REPLY)
    if not cases and not may:
        return None
    return Panel(
        "recovery/_panel.html", {"cases": cases, "may_open": may, "form": OpenCaseForm(), "customer": None}
    )


def customer_panel(request: HttpRequest, customer: Customer) -> Panel | None:
    """Opening a case by hand; the customer's cases themselves are on the timeline (no query here)."""
    agent: Agent = request.user  # type: ignore[assignment]
    if not allows(agent, Action.REPLY):
        return None
    return Panel(
        "recovery/_panel.html", {"cases": [], "may_open": True, "form": OpenCaseForm(), "customer": customer}
    )
