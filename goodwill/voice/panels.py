"""Feedback on the conversation page, a badge on rows with a bad answer, and the "Bad feedback" view."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from goodwill.accounts.models import Agent
from goodwill.conversations.badges import Badge
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows, page_messages
from goodwill.conversations.selectors import InboxView
from goodwill.core.prepared import PreparedQuery
from goodwill.voice.improvements import acknowledgement_text, looks_like_a_complaint
from goodwill.voice.models import Complaint, ExtraMile, Improvement, Survey


def feedback_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    if not has_rows(request, conversation, Survey):
        return None
    survey = Survey.objects.filter(conversation=conversation).select_related("followed_up_by").first()
    if survey is None:
        return None
    return Panel("voice/_panel.html", {"survey": survey})


def complaint_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    complaint = (
        Complaint.objects.filter(conversation=conversation).select_related("improvement").first()
        if has_rows(request, conversation, Complaint)
        else None
    )
    context = {
        "complaint": complaint,
        "suggestion": ""
        if complaint
        else looks_like_a_complaint(conversation, page_messages(request, conversation)),
        "thanks_text": acknowledgement_text(conversation)
        if complaint and not complaint.acknowledged_at
        else "",
        "improvements": Improvement.objects.exclude(status__in=["shipped", "wont_do"]).order_by("title")[:100]
        if complaint
        else [],
        "extra_miles": list(ExtraMile.objects.filter(conversation=conversation).select_related("agent")[:20])
        if has_rows(request, conversation, ExtraMile)
        else [],
    }
    return Panel("voice/_complaint_panel.html", context)


def _label(outcome: str, conduct: int | None) -> str:
    parts = []
    if outcome:
        parts.append(f"need met: {outcome}")
    if conduct is not None:
        parts.append(f"treated {conduct}/5")
    return ", ".join(parts)


# Built once per process: the inbox asks on every page (core.prepared).
_NEEDS_FOLLOW_UP = PreparedQuery(
    lambda ids: Survey.objects.filter(
        conversation_id__in=ids, needs_follow_up=True, followed_up_at__isnull=True
    ).values_list("conversation_id", "outcome", "conduct")
)


def row_badges(conversation_ids: list[int]) -> dict[int, list[Badge]]:
    return {
        pk: [Badge("bad feedback", "feedback-bad", _label(outcome, conduct))]
        for pk, outcome, conduct in _NEEDS_FOLLOW_UP.rows(conversation_ids)
    }


def _bad(agent: Agent) -> Q:
    # The conversation's copy of "a survey answer waits for a follow-up" (voice.services keeps
    # it), so a page walks the partial index conv_follow_up_recent and stops after one page.
    # Asked of the surveys, PostgreSQL walked the newest conversations probing each for one
    # (32,053 rows at 1M: 78 ms), or read every flagged one and sorted them.
    return Q(feedback_follow_up=True)


BAD_FEEDBACK_VIEW = InboxView("bad-feedback", "Bad feedback", "recent", _bad)
