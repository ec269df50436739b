"""Recovery cases on the customer's timeline (memory.timeline source). Agents only: the portal never reads it."""

from __future__ import annotations

from django.urls import reverse

from goodwill.accounts.models import Agent
from goodwill.customers.models import Customer
from goodwill.memory.timeline import Cursor, Entry, older_than
from goodwill.recovery.selectors import cases_visible_to


def case_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    rows = older_than(cases_visible_to(agent).filter(customer=customer), cursor, "recovery", "opened_at")
    pattern = reverse("recovery:case", args=[0])
    entries = []
    for case in rows.select_related("owner").order_by("-opened_at", "-pk")[:limit]:
        state = case.get_result_display().lower() if case.result else case.get_status_display().lower()
        entries.append(
            Entry(
                at=case.opened_at,
                kind="recovery",
                id=case.pk,
                title=f"Recovery case ({case.get_trigger_display().lower()}), {state}",
                body=case.reason,
                url=pattern.replace("/0/", f"/{case.pk}/"),
                actor=case.owner.display_name if case.owner else "Goodwill",
                label="Recovery",
            )
        )
    return entries
