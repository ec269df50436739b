"""Demo feedback, complaints and improvements, so the insights dashboards see realistic rows.

- Surveys on about half the solved or closed conversations; about three in five are answered a
  day or two after solving (about one answer per five conversations), the outcome following
  whether the need was met, the conduct mostly good; a few customers' "returned" events.
- Complaints on the conversations about the "Complaint" need (and a few where the need was not
  met), acknowledged, half of them linked to one of a handful of improvements; when that
  improvement has shipped, its complainers were told.

Runs after the conversations are loaded; reads only conversations newer than the last one with
a survey or complaint (a second run adds nothing twice) and writes with bulk inserts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Max, Q

from goodwill.conversations.models import Conversation
from goodwill.demo.basics import Dice
from goodwill.voice.models import Complaint, Improvement, ReturnEvent, Survey
from goodwill.voice.returns import refresh_returns

BATCH = 5000
IMPROVEMENTS = (  # title, status, days before the anchor it was created, days it took to ship
    ("Couriers ring before leaving a parcel outside", Improvement.Status.SHIPPED, 110, 30),
    ("Call-backs booked in a time slot the customer picks", Improvement.Status.SHIPPED, 90, 45),
    ("One owner per complaint until it is closed", Improvement.Status.IN_PROGRESS, 80, 0),
    ("Waterproof packaging for large items", Improvement.Status.PLANNED, 60, 0),
    ("Refunds in three working days instead of ten", Improvement.Status.IDEA, 30, 0),
    ("A manager's phone line for formal complaints", Improvement.Status.WONT_DO, 70, 0),
)
OUTCOME_FOR_NEED_MET = {
    "yes": ((0.93, "yes"), (0.99, "partly"), (1.0, "no")),
    "partly": ((0.25, "yes"), (0.85, "partly"), (1.0, "no")),
    "no": ((0.05, "yes"), (0.3, "partly"), (1.0, "no")),
}
CONDUCT = ((0.04, 1), (0.09, 2), (0.2, 3), (0.5, 4), (1.0, 5))


def _pick(table: tuple[tuple[float, object], ...], draw: float) -> object:
    return next(value for bound, value in table if draw <= bound)


def seed_voice(*, anchor: int, seed: int = 15) -> dict[str, int]:
    """Add the demo surveys, complaints and improvements; returns how many of each."""
    rng = Dice(seed)
    now = datetime.fromtimestamp(anchor, tz=UTC)
    made = {"surveys": _surveys(rng, now), "complaints": _complaints(rng, now)}
    return made


def _surveys(rng: Dice, now: datetime) -> int:
    after = Survey.objects.aggregate(m=Max("conversation_id"))["m"] or 0
    rows = (
        Conversation.objects.filter(pk__gt=after, solved_at__isnull=False, status__in=("solved", "closed"))
        .order_by("id")
        .values_list("id", "customer_id", "assignee_id", "team_id", "solved_at", "need_met")
    )
    surveys: list[Survey] = []
    returns: list[ReturnEvent] = []
    made = 0
    for conversation_id, customer_id, agent_id, team_id, solved_at, need_met in rows.iterator(
        chunk_size=BATCH
    ):
        if rng.random() >= 0.5 or solved_at is None:
            continue
        send_after = solved_at + timedelta(hours=24)
        survey = Survey(
            conversation_id=conversation_id,
            customer_id=customer_id,
            agent_id=agent_id,
            team_id=team_id,
            created_at=solved_at,
            send_after=send_after,
        )
        if send_after < now:
            survey.sent_at = send_after
            answered_at = send_after + timedelta(minutes=10 + rng.randrange(2 * 24 * 60))
            if rng.random() < 0.45 and answered_at < now:
                survey.outcome = str(
                    _pick(
                        OUTCOME_FOR_NEED_MET.get(need_met or "partly", OUTCOME_FOR_NEED_MET["partly"]),
                        rng.random(),
                    )
                )
                conduct = int(_pick(CONDUCT, rng.random()))  # type: ignore[call-overload]
                survey.conduct = conduct
                survey.answered_at = answered_at
                survey.closed_at = answered_at + timedelta(days=7)
                survey.needs_follow_up = survey.outcome == "no" or conduct <= 2
                back_at = answered_at + timedelta(days=1 + rng.randrange(80))
                if rng.random() < (0.08 if conduct >= 4 else 0.03) and back_at < now:
                    returns.append(
                        ReturnEvent(customer_id=customer_id, at=back_at, note="Renewed", created_at=back_at)
                    )
        surveys.append(survey)
        if len(surveys) >= BATCH:
            made += len(Survey.objects.bulk_create(surveys))
            ReturnEvent.objects.bulk_create(returns)
            surveys, returns = [], []
    made += len(Survey.objects.bulk_create(surveys))
    ReturnEvent.objects.bulk_create(returns)
    refresh_returns(Survey.objects.filter(conversation_id__gt=after))  # bulk rows bypass the subscriber
    return made


def _improvements(now: datetime) -> list[Improvement]:
    existing = {improvement.title: improvement for improvement in Improvement.objects.all()}
    made = []
    for title, status, age, took in IMPROVEMENTS:
        if title in existing:
            made.append(existing[title])
            continue
        created = now - timedelta(days=age)
        shipped = created + timedelta(days=took) if status == Improvement.Status.SHIPPED else None
        made.append(
            Improvement.objects.create(
                title=title,
                status=status,
                created_at=created,
                shipped_at=shipped,
                announcement=f"Thanks to customers like you: {title.lower()}." if shipped else "",
                reason="Formal complaints get an owner instead."
                if status == Improvement.Status.WONT_DO
                else "",
            )
        )
    return made


def _complaints(rng: Dice, now: datetime) -> int:
    improvements = _improvements(now)
    after = Complaint.objects.aggregate(m=Max("conversation_id"))["m"] or 0
    about = Q(need__name="Complaint") | Q(need__parent__name="Complaint") | Q(need_met="no")
    rows = (
        Conversation.objects.filter(about, pk__gt=after)
        .order_by("id")
        .values_list("id", "customer_id", "assignee_id", "created_at", "need_met", "subject")
    )
    batch: list[Complaint] = []
    made = 0
    for conversation_id, customer_id, agent_id, created_at, need_met, subject in rows.iterator(
        chunk_size=BATCH
    ):
        if need_met == "no" and rng.random() >= 0.15:
            continue
        marked_at = created_at + timedelta(minutes=5 + rng.randrange(600))
        if marked_at >= now:
            continue
        complaint = Complaint(
            conversation_id=conversation_id,
            customer_id=customer_id,
            marked_by_id=agent_id,
            marked_at=marked_at,
            summary=subject[:300],
            acknowledged_at=marked_at + timedelta(minutes=rng.randrange(120)),
        )
        if rng.random() < 0.5:
            improvement = rng.choice(improvements)
            if improvement.created_at <= marked_at + timedelta(days=30):
                complaint.improvement = improvement
                if improvement.shipped_at and improvement.shipped_at > marked_at and rng.random() < 0.9:
                    complaint.notified_at = improvement.shipped_at + timedelta(hours=1 + rng.randrange(48))
        batch.append(complaint)
        if len(batch) >= BATCH:
            made += len(Complaint.objects.bulk_create(batch))
            batch = []
    made += len(Complaint.objects.bulk_create(batch))
    return made
