"""The churn reason on the customer page (agents only; never in the portal)."""

from __future__ import annotations

from django.http import HttpRequest

from goodwill.accounts.models import Agent
from goodwill.churn.selectors import entry_of, mark
from goodwill.conversations.panels import Panel
from goodwill.customers.models import Customer


def churn_customer_panel(request: HttpRequest, customer: Customer) -> Panel | None:
    agent: Agent = request.user  # type: ignore[assignment]
    entry = entry_of(agent, customer)
    if entry is None:
        return None
    mark([entry])
    return Panel("churn/_customer_panel.html", {"entry": entry})
