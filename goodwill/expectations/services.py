"""SLA clocks: which policy applies, and starting, pausing, resuming and completing targets.

Every function takes the moment it acts at (`at`, the event's time) and works in the
conversation's business calendar (its team's schedule). Callers run them inside one
transaction; the subscriber does (with its receipt), so each event applies once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Min

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.expectations.calendars import BusinessCalendar, calendar_for
from goodwill.expectations.models import SlaPolicy, SlaTarget

RESPONSES = (SlaTarget.Kind.FIRST_RESPONSE, SlaTarget.Kind.NEXT_RESPONSE)
LIVE = (SlaTarget.Status.RUNNING, SlaTarget.Status.PAUSED)


def policy_matches(policy: SlaPolicy, conversation: Conversation) -> bool:
    """True when every condition the policy sets holds for the conversation."""
    customer = conversation.customer
    if policy.priority is not None and policy.priority != conversation.priority:
        return False
    if policy.channel and policy.channel != conversation.channel:
        return False
    if policy.organisation_id is not None and policy.organisation_id != customer.organisation_id:
        return False
    if policy.need_id is not None and policy.need_id != conversation.need_id:
        return False
    if policy.customer_kind == SlaPolicy.CustomerKind.INTERNAL and not customer.is_internal:
        return False
    return not (policy.customer_kind == SlaPolicy.CustomerKind.EXTERNAL and customer.is_internal)


def match_policy(conversation: Conversation) -> SlaPolicy | None:
    """The first active policy, by position, whose conditions all hold."""
    for policy in SlaPolicy.objects.filter(is_active=True).order_by("position", "id"):
        if policy_matches(policy, conversation):
            return policy
    return None


def calendar_of(conversation: Conversation) -> BusinessCalendar:
    return calendar_for(conversation.team_id)


def _warn_at(calendar: BusinessCalendar, due: datetime, start: datetime, minutes: int) -> datetime | None:
    if not minutes:
        return None
    return max(calendar.add_business_time(due, -timedelta(minutes=minutes)), start)


def start_target(
    conversation: Conversation,
    kind: str,
    at: datetime,
    *,
    policy: SlaPolicy | None = None,
    calendar: BusinessCalendar | None = None,
) -> SlaTarget | None:
    """Start the clock of `kind` at `at` if a policy sets that target and none of it is live."""
    policy = policy or match_policy(conversation)
    minutes = policy.minutes_for(kind) if policy else None
    if policy is None or minutes is None:
        return None
    if SlaTarget.objects.filter(conversation=conversation, kind=kind, status__in=LIVE).exists():
        return None
    calendar = calendar or calendar_of(conversation)
    due = calendar.add_business_time(at, timedelta(minutes=minutes))
    return SlaTarget.objects.create(
        conversation=conversation,
        policy=policy,
        policy_name=policy.name,
        kind=kind,
        target_seconds=minutes * 60,
        started_at=at,
        due_at=due,
        warn_at=_warn_at(calendar, due, at, policy.warn_before_minutes),
    )


def _live(conversation: Conversation, kinds: Iterable[str], status: Iterable[str] = LIVE) -> list[SlaTarget]:
    return list(
        SlaTarget.objects.select_related("policy").filter(
            conversation=conversation, kind__in=list(kinds), status__in=list(status)
        )
    )


def complete_targets(conversation: Conversation, kinds: Iterable[str], at: datetime) -> list[SlaTarget]:
    """Record the outcome of the live targets of `kinds`: met or breached, by how much (business time)."""
    calendar = calendar_of(conversation)
    done = _live(conversation, kinds)
    for target in done:
        if target.status == SlaTarget.Status.PAUSED or target.due_at is None:
            margin = target.remaining_seconds or 0
        else:
            margin = int(calendar.business_time_between(at, target.due_at).total_seconds())
            if at > target.due_at and margin == 0:
                margin = -1  # late, though only outside business hours
        target.status = SlaTarget.Status.DONE
        target.completed_at = at
        target.outcome = SlaTarget.Outcome.MET if margin >= 0 else SlaTarget.Outcome.BREACHED
        target.margin_seconds = margin
        target.save(update_fields=["status", "completed_at", "outcome", "margin_seconds"])
        if target.outcome == SlaTarget.Outcome.BREACHED and target.breached_at is None:
            record_breach(target, at)  # answered late before the sweep saw it
    return done


def record_breach(target: SlaTarget, at: datetime) -> None:
    """Announce a breached target (service recovery opens a case on it). Once per target: the
    sweep's claim or the late completion, whichever sees it first; call inside its transaction."""
    record_event(
        Event.Kind.SLA_BREACHED, conversation=target.conversation, subject=target, at=at,
        after={"kind": target.kind, "label": target.get_kind_display(), "policy": target.policy_name},
    )


def cancel_targets(conversation: Conversation, kinds: Iterable[str], at: datetime) -> int:
    """Stop clocks that no longer apply (a response target when the conversation is solved)."""
    return SlaTarget.objects.filter(conversation=conversation, kind__in=list(kinds), status__in=LIVE).update(
        status=SlaTarget.Status.CANCELLED, completed_at=at
    )


def pause_clocks(conversation: Conversation, at: datetime) -> int:
    """Waiting on the customer: keep each running target's business time left, and stop it."""
    calendar = calendar_of(conversation)
    paused = _live(conversation, SlaTarget.Kind.values, [SlaTarget.Status.RUNNING])
    for target in paused:
        assert target.due_at is not None
        target.remaining_seconds = int(calendar.business_time_between(at, target.due_at).total_seconds())
        target.status = SlaTarget.Status.PAUSED
        target.paused_at = at
        target.due_at = None
        target.warn_at = None
        target.save(update_fields=["remaining_seconds", "status", "paused_at", "due_at", "warn_at"])
    return len(paused)


def resume_clocks(conversation: Conversation, at: datetime) -> int:
    """The customer answered: paused targets run again with the business time they had left."""
    calendar = calendar_of(conversation)
    resumed = _live(conversation, SlaTarget.Kind.values, [SlaTarget.Status.PAUSED])
    for target in resumed:
        due = calendar.add_business_time(at, timedelta(seconds=target.remaining_seconds or 0))
        warn_minutes = target.policy.warn_before_minutes if target.policy else 0
        target.status = SlaTarget.Status.RUNNING
        target.due_at = due
        target.warn_at = _warn_at(calendar, due, at, warn_minutes) if due > at else None
        target.paused_at = None
        target.save(update_fields=["status", "due_at", "warn_at", "paused_at"])
    return len(resumed)


def refresh_due(conversation: Conversation) -> datetime | None:
    """Copy the nearest running due time onto the conversation (inbox sort and view read it)."""
    due = SlaTarget.objects.filter(conversation=conversation, status=SlaTarget.Status.RUNNING).aggregate(
        due=Min("due_at")
    )["due"]
    if conversation.status not in Conversation.OPEN_STATUSES:
        due = None
    if due != conversation.sla_due_at:
        Conversation.objects.filter(pk=conversation.pk).update(sla_due_at=due)
        conversation.sla_due_at = due
    return due


# --- what each event does -------------------------------------------------------------


def conversation_opened(conversation: Conversation, at: datetime) -> None:
    policy = match_policy(conversation)
    if policy is None:
        return
    calendar = calendar_of(conversation)
    if conversation.waiting_since is not None:
        start_target(
            conversation,
            SlaTarget.Kind.FIRST_RESPONSE,
            conversation.waiting_since,
            policy=policy,
            calendar=calendar,
        )
    start_target(conversation, SlaTarget.Kind.RESOLUTION, at, policy=policy, calendar=calendar)


def customer_wrote(conversation: Conversation, at: datetime) -> None:
    """A customer message: clocks resume, a response is owed, and resolution runs (again)."""
    resume_clocks(conversation, at)
    policy = match_policy(conversation)
    if policy is None:
        return
    calendar = calendar_of(conversation)
    answered_before = (
        conversation.first_response_at is not None
        or SlaTarget.objects.filter(conversation=conversation, kind=SlaTarget.Kind.FIRST_RESPONSE).exists()
    )
    kind = SlaTarget.Kind.NEXT_RESPONSE if answered_before else SlaTarget.Kind.FIRST_RESPONSE
    if not SlaTarget.objects.filter(conversation=conversation, kind__in=RESPONSES, status__in=LIVE).exists():
        start_target(conversation, kind, at, policy=policy, calendar=calendar)
    start_target(conversation, SlaTarget.Kind.RESOLUTION, at, policy=policy, calendar=calendar)


def team_replied(conversation: Conversation, at: datetime) -> None:
    complete_targets(conversation, RESPONSES, at)


def status_changed(conversation: Conversation, before: str, after: str, at: datetime) -> None:
    if after in Conversation.FINISHED_STATUSES:
        complete_targets(conversation, [SlaTarget.Kind.RESOLUTION], at)
        cancel_targets(conversation, RESPONSES, at)
    elif after == Conversation.Status.PENDING:
        pause_clocks(conversation, at)
    elif before == Conversation.Status.PENDING:
        resume_clocks(conversation, at)
    elif before in Conversation.FINISHED_STATUSES:
        start_target(conversation, SlaTarget.Kind.RESOLUTION, at)
