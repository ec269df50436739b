"""The result of a case, measured by what the customer did next (goodwill/schedules.py: "recovery.results").

From a case's follow-up date the worker looks at what happened since the case opened:

- the customer came back (a new conversation, or a return posted to the API) → recovered;
- they rated a later conversation well (need met, or treated 4–5/5) → recovered;
- they rated it badly, or left (asked for no more surveys) → not recovered;
- nothing, `no_response_days` after the follow-up → no response.

Each case is closed with a conditional UPDATE (see `close_case`), so a repeated or parallel run
closes it once and writes one `recovery.closed` event.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from goodwill.core.models import Event
from goodwill.recovery.models import RecoveryCase
from goodwill.recovery.services import close_case, settings_for
from goodwill.voice.models import Unsubscribe

BATCH = 500
Result = RecoveryCase.Result


def measure_results(now: datetime) -> str | None:
    cases = (
        RecoveryCase.objects.filter(status=RecoveryCase.Status.OPEN, follow_up_at__lte=now)
        .select_related("team", "customer", "conversation")
        .order_by("follow_up_at")[:BATCH]
    )
    settled: dict[str, int] = {}
    for case in cases:
        found = result_of(case, now)
        if found is not None and close_case(case, result=found[0], by=None, note=found[1], at=now):
            settled[found[0]] = settled.get(found[0], 0) + 1
    if not settled:
        return None
    return ", ".join(f"{count} {Result(result).label.lower()}" for result, count in sorted(settled.items()))


def _feedback_rating(after: dict[str, object]) -> str:
    """'good', 'bad' or '' for a feedback.answered event's values."""
    outcome, conduct = after.get("outcome"), after.get("conduct")
    if outcome == "no" or (isinstance(conduct, int) and conduct <= 2):
        return "bad"
    if outcome == "yes" or (isinstance(conduct, int) and conduct >= 4):
        return "good"
    return ""


def result_of(case: RecoveryCase, now: datetime) -> tuple[str, str] | None:
    """(result, why) once the customer's next steps say it; None while it is too early to tell."""
    since = Event.objects.filter(customer_id=case.customer_id, created_at__gt=case.opened_at)
    came_back = (
        since.filter(
            Q(kind=Event.Kind.CUSTOMER_RETURNED)
            | (Q(kind=Event.Kind.CONVERSATION_OPENED) & ~Q(conversation_id=case.conversation_id))
        )
        .order_by("created_at")
        .first()
    )
    if came_back is not None:
        how = (
            "posted a return"
            if came_back.kind == Event.Kind.CUSTOMER_RETURNED
            else "opened a new conversation"
        )
        return Result.RECOVERED, f"The customer came back: {how} on {came_back.created_at:%Y-%m-%d}."
    answers = since.filter(kind=Event.Kind.FEEDBACK_ANSWERED)
    if case.source_key.startswith("feedback:"):  # the answer that opened the case is not its follow-up
        answers = answers.exclude(subject_id=case.source_key.split(":", 1)[1])
    latest = answers.order_by("-created_at", "-pk").first()
    rating = _feedback_rating(latest.after or {}) if latest is not None else ""
    if rating == "good":
        return Result.RECOVERED, "The customer rated the follow-up well."
    if rating == "bad":
        return Result.NOT_RECOVERED, "The customer rated the follow-up badly."
    if Unsubscribe.objects.filter(customer_id=case.customer_id, created_at__gt=case.opened_at).exists():
        return Result.NOT_RECOVERED, "The customer left: they asked for no more messages."
    assert case.follow_up_at is not None
    if now >= case.follow_up_at + timedelta(days=settings_for(case.team).no_response_days):
        return Result.NO_RESPONSE, "No word from the customer since the follow-up."
    return None
