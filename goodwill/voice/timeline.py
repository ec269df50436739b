"""Feedback answers and complaints on the customer's timeline (memory.timeline sources)."""

from __future__ import annotations

from goodwill.accounts.models import Agent
from goodwill.customers.models import Customer
from goodwill.memory.timeline import Cursor, Entry, conversation_rows_visible_to, conversation_url, older_than
from goodwill.voice.models import Complaint, Survey


def feedback_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    rows = conversation_rows_visible_to(agent, Survey.objects.filter(customer=customer, answered_at__isnull=False))
    rows = older_than(rows.select_related("conversation"), cursor, "feedback", "answered_at")
    entries = []
    for survey in rows.order_by("-answered_at", "-pk")[:limit]:
        parts = [f"need met: {survey.outcome}" if survey.outcome else "", f"treated {survey.conduct}/5" if survey.conduct else ""]
        entries.append(
            Entry(
                at=survey.answered_at,  # type: ignore[arg-type]
                kind="feedback", id=survey.pk,
                title=f"Feedback on #{survey.conversation.number}: " + ", ".join(p for p in parts if p),
                body=survey.comment, url=conversation_url(survey.conversation.number), actor="Customer",
                label="Feedback",
            )
        )
    return entries


def complaint_entries(agent: Agent, customer: Customer, cursor: Cursor | None, limit: int) -> list[Entry]:
    rows = conversation_rows_visible_to(agent, Complaint.objects.filter(customer=customer))
    rows = older_than(rows.select_related("conversation", "improvement", "marked_by"), cursor, "complaint", "marked_at")
    return [
        Entry(
            at=complaint.marked_at, kind="complaint", id=complaint.pk,
            title=f"Complaint on #{complaint.conversation.number}"
            + (f", linked to “{complaint.improvement.title}” ({complaint.improvement.get_status_display().lower()})"
               if complaint.improvement else ""),
            body=complaint.summary, url=conversation_url(complaint.conversation.number),
            actor=complaint.marked_by.display_name if complaint.marked_by else "Goodwill", label="Complaint",
        )
        for complaint in rows.order_by("-marked_at", "-pk")[:limit]
    ]
