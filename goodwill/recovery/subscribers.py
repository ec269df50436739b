"""What opens a case: handlers on the event seam (goodwill/subscribers.py), one per failure kind.

Each reads the team's trigger settings and opens at most one case per failure through
`open_case`, whose unique `source_key` names the failure ("sla:<target>", "promise:<id>",
"feedback:<survey>", "mood:<turn>", "complaint:<id>", "reopened:<event>"). A handler applied twice
(a retry, two workers) finds the case already there and changes nothing.
"""

from __future__ import annotations

from goodwill.accounts.models import Team
from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.recovery.models import RecoveryCase, TriggerSettings
from goodwill.recovery.services import Failure, open_case, open_cases, settings_for

Trigger = RecoveryCase.Trigger


def _context(event: Event) -> tuple[Conversation | None, TriggerSettings]:
    conversation = None
    if event.conversation_id is not None:
        conversation = Conversation.objects.select_related("customer", "team", "assignee").get(
            pk=event.conversation_id
        )
    team: Team | None = conversation.team if conversation is not None else None
    return conversation, settings_for(team)


def _open(event: Event, conversation: Conversation | None, trigger: str, key: str, reason: str) -> None:
    customer = conversation.customer if conversation is not None else event.customer
    if customer is None:
        return
    open_case(customer, trigger=trigger, source_key=key, reason=reason, conversation=conversation)


def _number(conversation: Conversation | None) -> str:
    return f" on #{conversation.number}" if conversation is not None else ""


def on_sla_breached(event: Event) -> None:
    conversation, rules = _context(event)
    if not rules.on_sla_breach:
        return
    what = (event.after or {}).get("label") or "Service level"
    _open(
        event,
        conversation,
        Trigger.SLA_BREACH,
        f"sla:{event.subject_id}",
        f"{what} target breached{_number(conversation)}",
    )


def on_promise_late(event: Event) -> None:
    conversation, rules = _context(event)
    if rules.on_promise_late:
        text = (event.after or {}).get("text", "")
        _open(
            event,
            conversation,
            Trigger.PROMISE_LATE,
            f"promise:{event.subject_id}",
            f"Promise kept late: {text}",
        )


def on_promise_broken(event: Event) -> None:
    conversation, rules = _context(event)
    if rules.on_promise_broken:
        text = (event.after or {}).get("text", "")
        _open(
            event,
            conversation,
            Trigger.PROMISE_BROKEN,
            f"promise:{event.subject_id}",
            f"Promise broken: {text}",
        )


def bad_feedback(after: dict[str, object], rules: TriggerSettings) -> tuple[str, str] | None:
    """(trigger, reason) when the answer is bad enough for the team's settings; None otherwise."""
    outcome, conduct = after.get("outcome") or "", after.get("conduct")
    bad_outcomes = ("no", "partly") if rules.bad_outcomes == TriggerSettings.Outcomes.PARTLY else ("no",)
    if rules.on_bad_conduct and isinstance(conduct, int) and conduct <= rules.conduct_at_most:
        return Trigger.BAD_CONDUCT, f"Customer rated how they were treated {conduct}/5"
    if rules.on_bad_outcome and outcome in bad_outcomes:
        return Trigger.BAD_OUTCOME, f"Customer said their need was met: {outcome}"
    return None


def on_feedback_answered(event: Event) -> None:
    """One case per survey: a bad outcome and a bad rating of conduct are the same failure."""
    conversation, rules = _context(event)
    found = bad_feedback(event.after or {}, rules)
    if found is not None:
        trigger, reason = found
        _open(event, conversation, trigger, f"feedback:{event.subject_id}", reason + _number(conversation))


def _mood_turn(
    event: Event, conversation: Conversation | None, rules: TriggerSettings
) -> tuple[str, str] | None:
    """(source key, reason) when the turn is sharp enough for the team's settings; None otherwise."""
    to = (event.after or {}).get("to")
    if rules.on_mood_turn and isinstance(to, (int, float)) and to <= rules.mood_turn_to:
        reason = f"Mood turned for the worse ({(event.after or {}).get('from', 0):+.2f} → {to:+.2f}){_number(conversation)}"
        return f"mood:{event.subject_id}", reason
    return None


def on_mood_turned(event: Event) -> None:
    conversation, rules = _context(event)
    found = _mood_turn(event, conversation, rules)
    if found is not None:
        _open(event, conversation, Trigger.MOOD_TURN, *found)


def _on_mood_turned_batch(events: list[Event]) -> None:
    """The batch form (core.events.run_subscriber): scoring a batch of messages announces its
    turns together, and their cases open with a few statements (`open_cases`) instead of about
    fourteen each: the conversations read in one query, each team's settings once."""
    conversations = Conversation.objects.select_related("customer", "team", "assignee").in_bulk(
        {event.conversation_id for event in events if event.conversation_id is not None}
    )
    rules: dict[int | None, TriggerSettings] = {}
    failures = []
    for event in events:
        conversation = None
        if event.conversation_id is not None:
            conversation = conversations.get(event.conversation_id)
            if conversation is None:  # as `_context` does: the batch fails, the events go one by one
                raise Conversation.DoesNotExist(f"conversation {event.conversation_id}")
        team = conversation.team if conversation is not None else None
        key = team.pk if team is not None else None
        if key not in rules:
            rules[key] = settings_for(team)
        found = _mood_turn(event, conversation, rules[key])
        customer = conversation.customer if conversation is not None else event.customer
        if found is not None and customer is not None:
            failures.append(Failure(customer, Trigger.MOOD_TURN, *found, conversation=conversation))
    open_cases(failures)


on_mood_turned.batch = _on_mood_turned_batch  # type: ignore[attr-defined]


def on_complaint_marked(event: Event) -> None:
    conversation, rules = _context(event)
    if rules.on_complaint:
        summary = (event.after or {}).get("summary") or "Complaint"
        _open(
            event, conversation, Trigger.COMPLAINT, f"complaint:{event.subject_id}", f"Complaint: {summary}"
        )


def on_reopened(event: Event) -> None:
    """A solved conversation opened again: the first answer did not hold. One case per reopening."""
    conversation, rules = _context(event)
    if rules.on_reopened:
        _open(
            event,
            conversation,
            Trigger.REOPENED,
            f"reopened:{event.pk}",
            f"Conversation reopened{_number(conversation)}",
        )
