"""Recovery cases: opened once per failure, whoever calls (a subscriber retried, two workers, a
click), worked through the team's playbook, closed with a result."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from goodwill.accounts.models import Agent, Notification, Team
from goodwill.accounts.notifications import notify, notify_many
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation
from goodwill.core.bulk import insert_rows
from goodwill.core.models import Event
from goodwill.core.services import record_event, record_events
from goodwill.customers.models import Customer
from goodwill.recovery.models import CaseStep, Playbook, PlaybookStep, RecoveryCase, StepKind, TriggerSettings


def open_case(
    customer: Customer,
    *,
    trigger: str,
    source_key: str,
    reason: str,
    conversation: Conversation | None = None,
    team: Team | None = None,
    owner: Agent | None = None,
    by: Agent | None = None,
    due_at: datetime | None = None,
) -> tuple[RecoveryCase, bool]:
    """The case for this failure (`source_key`), and whether this call opened it.

    Idempotent: a second call with the same `source_key` returns the existing case and changes
    nothing, also when two processes race (the unique key decides; the loser reads the winner's row).
    """
    existing = RecoveryCase.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    if team is None and conversation is not None:
        team = conversation.team
    if owner is None and conversation is not None:
        owner = conversation.assignee
    try:
        with transaction.atomic():
            case = RecoveryCase.objects.create(
                customer=customer,
                conversation=conversation,
                team=team,
                trigger=trigger,
                source_key=source_key,
                reason=reason[:300],
                owner=owner,
                opened_by=by,
                due_at=due_at,
            )
            start_playbook(case)
            _tell_owner(case, by)
            record_event(
                Event.Kind.RECOVERY_OPENED,
                actor=by,
                customer=customer,
                conversation=conversation,
                subject=case,
                after={"trigger": trigger, "reason": case.reason},
            )
    except IntegrityError:
        return RecoveryCase.objects.get(source_key=source_key), False
    return case, True


def _tell_owner(case: RecoveryCase, by: Agent | None) -> None:
    """The owner hears of a case someone else (or a trigger) opened for them, once."""
    if case.owner is None or (by is not None and by.pk == case.owner_id):
        return
    notice = _owner_notice(case)
    notify(
        [case.owner],
        key=notice.key,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        url=notice.url,
    )


def _owner_notice(case: RecoveryCase) -> Notification:
    assert case.owner is not None
    return Notification(
        agent=case.owner,
        key=f"recovery:{case.pk}",
        kind="recovery",
        title=f"Recovery case: {case.reason}"[:300],
        body=case.get_trigger_display(),
        url=reverse("recovery:case", args=[case.pk]),
    )


# --- settings and playbooks ----------------------------------------------------------------


@dataclass(frozen=True)
class StepPlan:
    kind: str
    title: str
    due_days: int


DEFAULT_STEPS = (
    StepPlan(StepKind.ACKNOWLEDGE, "Acknowledge what went wrong and apologise", 1),
    StepPlan(StepKind.FIX, "Fix the problem, or say what happens next", 3),
    StepPlan(StepKind.GESTURE, "Offer a goodwill gesture", 3),
    StepPlan(StepKind.FOLLOW_UP, "Follow up: is everything all right now?", 7),
)
FOLLOW_UP_DAYS = 7  # when a playbook has no follow-up step


def settings_for(team: Team | None) -> TriggerSettings:
    """The team's trigger settings, else the default row, else the built-in defaults (unsaved)."""
    if team is not None:
        own = TriggerSettings.objects.filter(team=team).first()
        if own is not None:
            return own
    return TriggerSettings.objects.filter(team__isnull=True).first() or TriggerSettings()


def playbook_of(team: Team | None) -> Playbook | None:
    """The team's own playbook, or None (it follows the default)."""
    if team is None:
        return Playbook.objects.filter(team__isnull=True).first()
    return Playbook.objects.filter(team=team).first()


def steps_for(team: Team | None) -> list[StepPlan]:
    """The steps a new case of `team` gets: its playbook, the default playbook, or DEFAULT_STEPS."""
    for playbook in (playbook_of(team) if team is not None else None, playbook_of(None)):
        if playbook is not None:
            return [StepPlan(s.kind, s.title, s.due_days) for s in playbook.steps.all()]
    return list(DEFAULT_STEPS)


def start_playbook(case: RecoveryCase) -> None:
    """Give a new case its steps with due dates, its next due date and its follow-up date."""
    CaseStep.objects.bulk_create(_plan_steps(case, steps_for(case.team)))
    case.save(update_fields=["follow_up_at", "due_at"])


def _plan_steps(case: RecoveryCase, plans: list[StepPlan]) -> list[CaseStep]:
    """The case's (unsaved) steps; sets its follow-up date and, unless it has one, its due date."""
    steps = [
        CaseStep(
            case=case,
            position=index,
            kind=plan.kind,
            title=plan.title,
            due_at=case.opened_at + timedelta(days=plan.due_days),
        )
        for index, plan in enumerate(plans)
    ]
    follow_ups = [step.due_at for step in steps if step.kind == StepKind.FOLLOW_UP and step.due_at]
    case.follow_up_at = max(follow_ups) if follow_ups else case.opened_at + timedelta(days=FOLLOW_UP_DAYS)
    if case.due_at is None:
        case.due_at = min((step.due_at for step in steps if step.due_at), default=case.follow_up_at)
    return steps


@dataclass(frozen=True)
class Failure:
    """A failure a trigger found: what `open_case` is given, with the conversation's team and owner."""

    customer: Customer
    trigger: str
    source_key: str
    reason: str
    conversation: Conversation | None = None


_STEP_COLUMNS = ("case_id", "position", "kind", "title", "due_at", "done_at", "done_by_id", "cost", "note")


def open_cases(failures: list[Failure]) -> list[RecoveryCase]:
    """`open_case` for many failures a trigger found (no opener; the conversation's team and
    assignee), in a few statements: the cases, their steps and their events each one insert.
    Returns the cases opened now; a failure whose case exists already is skipped.

    Unlike `open_case`, a case another process opens meanwhile makes it raise IntegrityError
    instead of reading that case: the caller's transaction rolls back (the subscriber's batch
    form then runs its events one at a time, through `open_case`).
    """
    wanted = {failure.source_key: failure for failure in failures}
    existing = set(RecoveryCase.objects.filter(source_key__in=wanted).values_list("source_key", flat=True))
    now = timezone.now()
    plans: dict[int | None, list[StepPlan]] = {}
    cases: list[RecoveryCase] = []
    for failure in wanted.values():
        if failure.source_key in existing:
            continue
        conversation = failure.conversation
        team = conversation.team if conversation is not None else None
        team_id = team.pk if team is not None else None
        if team_id not in plans:
            plans[team_id] = steps_for(team)
        cases.append(
            RecoveryCase(
                customer=failure.customer,
                conversation=conversation,
                team=team,
                trigger=failure.trigger,
                source_key=failure.source_key,
                reason=failure.reason[:300],
                owner=conversation.assignee if conversation is not None else None,
                opened_at=now,
            )
        )
    if not cases:
        return []
    steps = [step for case in cases for step in _plan_steps(case, plans[case.team_id])]
    with transaction.atomic():
        RecoveryCase.objects.bulk_create(cases)
        for step in steps:
            step.case_id = step.case.pk
        # Without model instances' per-value work (core.bulk): a turn opens a case of several steps.
        insert_rows(CaseStep, [{name: getattr(step, name) for name in _STEP_COLUMNS} for step in steps])
        notify_many([_owner_notice(case) for case in cases if case.owner is not None])
        record_events(
            [
                Event(
                    kind=Event.Kind.RECOVERY_OPENED,
                    customer=case.customer,
                    conversation=case.conversation,
                    subject_type=RecoveryCase._meta.label_lower,
                    subject_id=str(case.pk),
                    after={"trigger": case.trigger, "reason": case.reason},
                    created_at=now,
                )
                for case in cases
            ]
        )
    return cases


def _may_lead(agent: Agent, team: Team | None) -> bool:
    if agent.is_admin:
        return True
    if team is None:
        return False
    return agent.teammembership_set.filter(team=team, is_lead=True).exists()


def may_edit_recovery(agent: Agent, team: Team | None) -> bool:
    """Admins edit every team's triggers and playbook (and the defaults); a lead edits their team's."""
    return bool(agent.is_active and _may_lead(agent, team))


def save_playbook(team: Team | None, steps: list[StepPlan], *, by: Agent) -> Playbook:
    """Replace the team's playbook steps (cases already open keep theirs)."""
    if not may_edit_recovery(by, team):
        raise PermissionDenied("Only the team's leads and admins edit its playbook.")
    if not steps:
        raise ValidationError("A playbook needs at least one step.")
    with transaction.atomic():
        playbook = playbook_of(team) or Playbook.objects.create(team=team)
        playbook.steps.all().delete()
        PlaybookStep.objects.bulk_create(
            PlaybookStep(playbook=playbook, position=i, kind=s.kind, title=s.title[:200], due_days=s.due_days)
            for i, s in enumerate(steps)
        )
        playbook.updated_at = timezone.now()
        playbook.save(update_fields=["updated_at"])
    return playbook


# --- working a case ------------------------------------------------------------------------


def open_case_by_hand(
    customer: Customer,
    *,
    by: Agent,
    reason: str,
    conversation: Conversation | None = None,
    owner: Agent | None = None,
    token: str = "",
) -> tuple[RecoveryCase, bool]:
    """An agent opens a case. `token` (from the form) makes a double submit open it once."""
    require(by, Action.REPLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say what went wrong.")
    key = f"manual:{token or uuid.uuid4().hex}"[:120]
    with transaction.atomic():
        return open_case(
            customer,
            trigger=RecoveryCase.Trigger.MANUAL,
            source_key=key,
            reason=reason,
            conversation=conversation,
            owner=owner or by,
            by=by,
        )


def _refresh_due(case: RecoveryCase) -> None:
    next_due = (
        case.steps.filter(done_at__isnull=True).order_by("due_at").values_list("due_at", flat=True).first()
    )
    RecoveryCase.objects.filter(pk=case.pk).update(due_at=next_due)
    case.due_at = next_due


def tick_step(step: CaseStep, *, by: Agent, cost: Decimal | None = None, note: str = "") -> CaseStep:
    """Mark a step done (a gesture with what it cost). Ticking twice keeps the first tick."""
    require(by, Action.REPLY)
    if cost is not None and cost < 0:
        raise ValidationError("A cost cannot be negative.")
    with transaction.atomic():
        locked = CaseStep.objects.select_for_update().select_related("case").get(pk=step.pk)
        if not locked.case.is_open:
            raise ValidationError("This case is closed.")
        if locked.done_at is None:
            locked.done_at = timezone.now()
            locked.done_by = by
        if cost is not None:
            locked.cost = cost
        if note:
            locked.note = note.strip()[:300]
        locked.save(update_fields=["done_at", "done_by", "cost", "note"])
        _refresh_due(locked.case)
    return locked


def untick_step(step: CaseStep, *, by: Agent) -> None:
    require(by, Action.REPLY)
    with transaction.atomic():
        CaseStep.objects.filter(pk=step.pk, case__status=RecoveryCase.Status.OPEN).update(
            done_at=None, done_by=None
        )
        _refresh_due(step.case)


def assign_case(case: RecoveryCase, *, owner: Agent | None, by: Agent) -> None:
    require(by, Action.REPLY)
    RecoveryCase.objects.filter(pk=case.pk).update(owner=owner)
    case.owner = owner


def close_case(
    case: RecoveryCase, *, result: str, by: Agent | None, note: str = "", at: datetime | None = None
) -> bool:
    """Close with a result; False when it was closed already (the first close stands)."""
    if by is not None:
        require(by, Action.REPLY)
    if result not in (
        RecoveryCase.Result.RECOVERED,
        RecoveryCase.Result.NOT_RECOVERED,
        RecoveryCase.Result.NO_RESPONSE,
    ):
        raise ValidationError("Choose recovered, not recovered or no response.")
    at = at or timezone.now()
    with transaction.atomic():
        closed = RecoveryCase.objects.filter(pk=case.pk, status=RecoveryCase.Status.OPEN).update(
            status=RecoveryCase.Status.CLOSED,
            result=result,
            closed_at=at,
            closed_by=by,
            result_note=(note or "").strip()[:300],
        )
        if not closed:
            return False
        case.refresh_from_db()
        record_event(
            Event.Kind.RECOVERY_CLOSED,
            actor=by,
            customer=case.customer,
            conversation=case.conversation,
            subject=case,
            after={"trigger": case.trigger, "result": result, "note": case.result_note},
            at=at,
        )
    return True


def gesture_cost(case: RecoveryCase) -> Decimal:
    return sum((step.cost or Decimal(0) for step in case.steps.all()), Decimal(0))
