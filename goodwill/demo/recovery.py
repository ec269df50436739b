"""Demo service recovery: about one assigned conversation in forty has a recovery case, opened by
each kind of trigger, with the default playbook's steps; older ones closed with a result (mostly
recovered), recent ones open and some overdue, so the queue, the "Recovery" view, the customer
timeline and bench/ see realistic rows at any size.

Runs after the conversations are loaded; reads only conversations newer than the last one with a
demo case (a second run adds nothing twice) and writes with bulk inserts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Max
from django.db.models.functions import Mod

from goodwill.conversations.models import Conversation
from goodwill.demo.basics import Dice
from goodwill.recovery.models import CaseStep, Playbook, PlaybookStep, RecoveryCase, TriggerSettings
from goodwill.recovery.services import DEFAULT_STEPS

EVERY = 40
BATCH = 2000
Trigger = RecoveryCase.Trigger
Result = RecoveryCase.Result
TRIGGERS = (
    (Trigger.SLA_BREACH, "First response target breached", 30),
    (Trigger.PROMISE_BROKEN, "Promise broken: the engineer did not come on Monday", 45),
    (Trigger.BAD_OUTCOME, "Customer said their need was met: no", 65),
    (Trigger.BAD_CONDUCT, "Customer rated how they were treated 2/5", 75),
    (Trigger.REOPENED, "Conversation reopened", 88),
    (Trigger.MOOD_TURN, "Mood turned for the worse (+0.20 → -0.70)", 95),
    (Trigger.COMPLAINT, "Complaint: third delay this month", 98),
    (Trigger.MANUAL, "Customer was sent the wrong replacement twice", 100),
)
RESULTS = (
    (Result.RECOVERED, 0.6, "The customer came back: opened a new conversation."),
    (Result.NOT_RECOVERED, 0.78, "The customer rated the follow-up badly."),
    (Result.NO_RESPONSE, 1.0, "No word from the customer since the follow-up."),
)


def seed_recovery(*, anchor: int, seed: int = 15) -> int:
    """Add the demo recovery cases for conversations loaded since the last run; returns how many."""
    _defaults()
    rng = Dice(seed)
    now = datetime.fromtimestamp(anchor, tz=UTC)
    after = (
        RecoveryCase.objects.filter(source_key__startswith="demo:").aggregate(m=Max("conversation_id"))["m"]
        or 0
    )
    rows = (
        Conversation.objects.filter(pk__gt=after, assignee__isnull=False)
        .annotate(pick=Mod("id", EVERY))
        .filter(pick=7)
        .order_by("id")
        .values_list("id", "customer_id", "assignee_id", "team_id", "last_message_at")
    )
    batch: list[tuple[RecoveryCase, list[CaseStep]]] = []
    made = 0
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(_case(rng, now, *row))
        if len(batch) >= BATCH:
            made += _write(batch)
            batch = []
    if batch:
        made += _write(batch)
    return made


def _defaults() -> None:
    TriggerSettings.objects.get_or_create(team=None)
    playbook, created = Playbook.objects.get_or_create(team=None)
    if created:
        PlaybookStep.objects.bulk_create(
            PlaybookStep(playbook=playbook, position=i, kind=s.kind, title=s.title, due_days=s.due_days)
            for i, s in enumerate(DEFAULT_STEPS)
        )


def _case(
    rng: Dice,
    now: datetime,
    conversation_id: int,
    customer_id: int,
    owner_id: int,
    team_id: int | None,
    at: datetime,
) -> tuple[RecoveryCase, list[CaseStep]]:
    draw = rng.random() * 100
    trigger, reason = next((t, r) for t, r, cum in TRIGGERS if draw <= cum)
    opened = min(at + timedelta(hours=rng.randrange(1, 48)), now - timedelta(hours=1))
    steps = [
        CaseStep(position=i, kind=s.kind, title=s.title, due_at=opened + timedelta(days=s.due_days))
        for i, s in enumerate(DEFAULT_STEPS)
    ]
    follow_up = steps[-1].due_at
    assert follow_up is not None
    case = RecoveryCase(
        customer_id=customer_id,
        conversation_id=conversation_id,
        team_id=team_id,
        trigger=trigger,
        source_key=f"demo:{conversation_id}",
        reason=reason,
        owner_id=owner_id,
        opened_by_id=owner_id if trigger == Trigger.MANUAL else None,
        opened_at=opened,
        follow_up_at=follow_up,
    )
    age = now - opened
    for step in steps:  # steps done in order, each a little before or after its due time
        assert step.due_at is not None
        done = step.due_at + timedelta(hours=rng.randrange(-20, 30))
        if done < now and (age > timedelta(days=21) or rng.random() < 0.7):
            step.done_at, step.done_by_id = max(done, opened), owner_id
            if step.kind == "gesture":
                step.cost = Decimal(rng.choice((0, 5, 10, 15, 25, 50)))
    open_steps = [s.due_at for s in steps if s.done_at is None and s.due_at is not None]
    case.due_at = min(open_steps) if open_steps else None
    if age > timedelta(days=21):
        draw = rng.random()
        result, _cum, note = next(r for r in RESULTS if draw <= r[1])
        case.status, case.result, case.result_note = RecoveryCase.Status.CLOSED, result, note
        case.closed_at = min(now, follow_up + timedelta(days=rng.randrange(1, 14)))
        case.due_at = None
    return case, steps


def _write(batch: list[tuple[RecoveryCase, list[CaseStep]]]) -> int:
    cases = RecoveryCase.objects.bulk_create([case for case, _steps in batch])
    steps = []
    for case, (_unsaved, case_steps) in zip(cases, batch, strict=True):
        for step in case_steps:
            step.case_id = case.pk
            steps.append(step)
    CaseStep.objects.bulk_create(steps, batch_size=BATCH)
    return len(cases)
