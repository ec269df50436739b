"""The tone coach: `check_tone` on the agent's reply draft as they type, through the
conversations' draft-check seam, with each finding's fix as a one-click button."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel
from goodwill.listening.engine import Suggestion, ToneFinding, check_tone
from goodwill.listening.models import ConversationMood
from goodwill.listening.policy import CHECK_LABELS, settings_for

MAX_DRAFT_CHARS = 20_000


@dataclass(frozen=True)
class Fix:
    """What workspace.js needs: insert at "start"/"end", or replace the first `phrase`."""

    insert: str  # "start", "end" or "" for a replacement
    phrase: str
    text: str  # the new text (for a replacement: the phrase as it becomes)
    shown: str  # the better wording, for the button's label


@dataclass(frozen=True)
class CoachFinding:
    code: str
    label: str
    message: str
    fix: Fix | None


def fix_for(draft: str, suggestion: Suggestion) -> Fix:
    """Turn a span edit into a button: inserts at either end stay inserts; anything else
    becomes the replacement of a phrase that first occurs exactly at that span."""
    start, end, text = suggestion.start, suggestion.end, suggestion.text
    shown = text.strip() or "(remove)"
    if start == end == 0:
        return Fix("start", "", text, shown)
    if start == end and not draft[end:].strip():
        return Fix("end", "", text, shown)
    a, b = start, end
    if a == b:  # an insertion inside the text: carry the next word along
        while b < len(draft) and not draft[b].isspace():
            b += 1
        if a == b:
            a -= 1
    while draft.find(draft[a:b]) != a and (a > 0 or b < len(draft)):
        a, b = max(0, a - 1), min(len(draft), b + 1)
    return Fix("", draft[a:b], draft[a:start] + text + draft[end:b], shown)


def coach(draft: str, conversation: Conversation) -> list[CoachFinding]:
    """The tone coach's findings for a reply draft in this conversation."""
    draft = draft[:MAX_DRAFT_CHARS]
    customer = conversation.customer
    settings = settings_for(conversation.team)
    mood = (
        ConversationMood.objects.filter(conversation=conversation).values_list("sentiment", flat=True).first()
    )
    findings: list[ToneFinding] = check_tone(
        draft,
        customer_name=customer.name or None,
        preferred_name=customer.preferred_name or None,
        customer_mood=mood,
        jargon=settings.jargon,
        disabled=settings.disabled_checks,
    )
    return [
        CoachFinding(
            code=finding.code,
            label=CHECK_LABELS.get(finding.code, finding.code),
            message=finding.message,
            fix=fix_for(draft, finding.suggestion) if finding.suggestion is not None else None,
        )
        for finding in findings
    ]


def tone_coach_check(request: HttpRequest, conversation: Conversation, text: str, kind: str) -> Panel | None:
    """The draft check registered with conversations.drafts: replies only, never notes."""
    if kind != "reply" or not text.strip():
        return None
    findings = coach(text, conversation)
    if not findings:
        return Panel("listening/_tone_coach.html", {"findings": [], "clean": True})
    return Panel("listening/_tone_coach.html", {"findings": findings, "clean": False})
