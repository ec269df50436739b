"""Demo complaints and improvements, so the insights dashboards see realistic rows (the
surveys, returns and extra-mile actions are in demo/voice.py).

- Complaints on the conversations about the "Complaint" need (and a few where the need was not
  met), acknowledged, half of them linked to one of a handful of improvements; when that
  improvement has shipped, its complainers were told.

Runs after the conversations are loaded; reads only conversations newer than the last one with
a complaint (a second run adds nothing twice) and writes with bulk inserts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Max, Q

from goodwill.conversations.models import Conversation
from goodwill.core.models import Counter
from goodwill.demo.basics import Dice
from goodwill.voice.models import Complaint, Improvement

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


def seed_complaints(*, anchor: int, seed: int = 15) -> dict[str, int]:
    """Add the demo complaints and improvements; returns how many complaints."""
    rng = Dice(seed)
    now = datetime.fromtimestamp(anchor, tz=UTC)
    return {"complaints": _complaints(rng, now)}


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


SEEN = "demo.complaints.conversations"


def _complaints(rng: Dice, now: datetime) -> int:
    improvements = _improvements(now)
    # The conversations looked at so far (not only those with a complaint), so a second run adds nothing.
    after = (
        Counter.objects.filter(name=SEEN).values_list("value", flat=True).first()
        or Complaint.objects.aggregate(m=Max("conversation_id"))["m"]  # a database seeded before the counter
        or 0
    )
    last = Conversation.objects.filter(pk__gt=after).aggregate(m=Max("pk"))["m"]
    if last is not None:
        Counter.objects.update_or_create(name=SEEN, defaults={"value": last})
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
