"""Demo promises: about one conversation in twelve with an agent's promise, most of them closed
(kept early, on time or late, some broken or cancelled), a few open, some overdue and flagged, so
the sidebar, "Promises due", the ledger page and bench/ see realistic rows at any size.

Runs after the conversations are loaded; reads only the conversations newer than the last one
with a promise (so a second run adds nothing twice) and writes with bulk inserts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Mod

from goodwill.conversations.models import Conversation
from goodwill.demo.basics import Dice
from goodwill.promises.models import Promise
from goodwill.promises.services import refresh_overdue_flags

EVERY = 12
BATCH = 5000
PHRASES = (
    ("I'll call you back tomorrow.", timedelta(days=1)),
    ("We'll ship the replacement by Friday.", timedelta(days=3)),
    ("I'll send you the corrected invoice within 48 hours.", timedelta(hours=48)),
    ("You'll have a full answer from me by the end of the week.", timedelta(days=4)),
    ("We'll process the refund within 3 working days.", timedelta(days=5)),
    ("I'll check with the warehouse and get back to you later today.", timedelta(hours=6)),
    ("The engineer will visit first thing Monday.", timedelta(days=6)),
    ("I'll follow up with the courier in 2 days.", timedelta(days=2)),
)
OUTCOMES = (
    (Promise.Outcome.KEPT_EARLY, 0.25, -0.5),
    (Promise.Outcome.KEPT_ON_TIME, 0.70, -0.1),
    (Promise.Outcome.LATE, 0.85, 0.4),
    (Promise.Outcome.BROKEN, 0.95, 0.0),
    (Promise.Outcome.CANCELLED, 1.0, 0.0),
)
REASONS = {
    Promise.Outcome.BROKEN: "The courier missed the collection and nobody called the customer.",
    Promise.Outcome.CANCELLED: "The customer found the part locally and no longer needed it.",
}


def seed_promises(*, anchor: int, seed: int = 12) -> int:
    """Add the demo promises for conversations loaded since the last run; returns how many."""
    rng = Dice(seed)
    now = datetime.fromtimestamp(anchor, tz=UTC)
    after = Promise.objects.aggregate(m=Max("conversation_id"))["m"] or 0
    rows = (
        Conversation.objects.filter(pk__gt=after, assignee__isnull=False)
        .annotate(pick=Mod("id", EVERY))
        .filter(pick=0)
        .order_by("id")
        .values_list("id", "customer_id", "team_id", "assignee_id", "last_message_at")
    )
    batch: list[Promise] = []
    made = 0
    for conversation_id, customer_id, team_id, assignee_id, last_message_at in rows.iterator(
        chunk_size=BATCH
    ):
        promise = _promise(rng, now, conversation_id, customer_id, assignee_id, last_message_at)
        promise.team_id = team_id
        batch.append(promise)
        if len(batch) >= BATCH:
            made += _write(batch)
            batch = []
    if batch:
        made += _write(batch)
    return made


def _write(batch: list[Promise]) -> int:
    """Insert a batch and flag its conversations with an overdue promise, as the sweep would."""
    made = len(Promise.objects.bulk_create(batch))
    refresh_overdue_flags(p.conversation_id for p in batch if p.overdue_at is not None)
    return made


def _promise(
    rng: Dice, now: datetime, conversation_id: int, customer_id: int, owner_id: int, said_at: datetime
) -> Promise:
    text, within = rng.choice(PHRASES)
    due = said_at + within
    promise = Promise(
        conversation_id=conversation_id,
        customer_id=customer_id,
        owner_id=owner_id,
        created_by_id=owner_id,
        text=text,
        due_at=due,
        time_zone="Europe/London",
        created_at=said_at,
    )
    if due > now:
        if due - now < timedelta(hours=2):
            promise.reminded_at = now
        return promise
    if rng.random() < 0.12:  # still open past its due time: flagged
        promise.reminded_at = promise.overdue_at = due
        return promise
    draw = rng.random()
    outcome, shift = next((o, s) for o, cum, s in OUTCOMES if draw <= cum)
    promise.state = Promise.State.CLOSED
    promise.outcome = outcome
    promise.reason = REASONS.get(outcome, "")
    promise.closed_at = min(now, due + within * shift) if shift else min(now, due)
    promise.closed_by_id = owner_id
    promise.reminded_at = due - timedelta(hours=2)
    return promise
