"""Idempotent sends: a `Delivery` row per outgoing message records its state around the send.

At-least-once tasks may run twice (a lease expired, the sweeper enqueued again). The row
makes a second run harmless: SENT means done; SENDING under a live lease means another
worker is on it; SENDING with an expired lease means a worker died during the
transaction and nobody knows whether the remote accepted it, so the caller resends with
the same Message-ID and says so in the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from goodwill.core.models import Delivery

logger = logging.getLogger("goodwill.tasks")


RETRY_HORIZON = timedelta(hours=1, minutes=5)


class DeliveryBusy(Exception):
    """Another worker holds this delivery's lease; the task retries later."""


@dataclass(frozen=True)
class Claim:
    key: str
    attempt: int
    # The previous attempt died between starting the send and recording its outcome.
    outcome_unknown: bool


def delivery_lease() -> timedelta:
    """How long a send may take before another worker may take it over."""
    return timedelta(seconds=float(getattr(settings, "TASK_LEASE_SECONDS", 60)))


def claim_delivery(key: str) -> Claim | None:
    """Mark `key` as being sent now. None when it was sent already; DeliveryBusy when in flight."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = Delivery.objects.select_for_update().get_or_create(
            key=key, defaults={"state": Delivery.State.QUEUED}
        )
        if row.state == Delivery.State.SENT:
            return None
        if row.state == Delivery.State.SENDING and row.lease_until and row.lease_until > now:
            raise DeliveryBusy(f"{key} is being sent by another worker until {row.lease_until:%H:%M:%S}")
        unknown = row.state == Delivery.State.SENDING
        Delivery.objects.filter(pk=row.pk).update(
            state=Delivery.State.SENDING,
            lease_until=now + delivery_lease(),
            attempts=F("attempts") + 1,
            resends=F("resends") + (1 if unknown else 0),
        )
    return Claim(key=key, attempt=row.attempts + 1, outcome_unknown=unknown)


def log_resend(claim: Claim, message_id: str) -> None:
    """Say that this send repeats one whose outcome is unknown (same Message-ID, so mail clients dedupe)."""
    logger.warning(
        "resending %s with the same Message-ID <%s>: a worker died during the previous send, "
        "so the remote may already have it (attempt %d)",
        claim.key,
        message_id,
        claim.attempt,
    )


def mark_sent(claim: Claim, message_id: str = "") -> None:
    """Record that the remote accepted the message. Call inside the caller's success transaction."""
    Delivery.objects.filter(key=claim.key).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), lease_until=None, message_id=message_id[:500]
    )


def mark_failed(claim: Claim) -> None:
    """Record a send that the remote refused or that never connected: safe to try again."""
    Delivery.objects.filter(key=claim.key).exclude(state=Delivery.State.SENT).update(
        state=Delivery.State.FAILED, lease_until=None
    )


def send_once(key: str, mail: Any) -> bool:
    """Send `mail` (a Django `EmailMessage`) once per `key`: False when an earlier run sent it.

    DeliveryBusy when another worker is sending it now; a send that raises is marked failed (safe
    to try again) and the error goes on to the caller."""
    claim = claim_delivery(key)
    if claim is None:
        return False
    try:
        mail.send()
    except Exception:
        mark_failed(claim)
        raise
    mark_sent(claim)
    return True


def note_swept(key: str) -> None:
    """Count one re-enqueue by the sweeper, so a stuck delivery is enqueued once per grace period."""
    now = timezone.now()
    row, created = Delivery.objects.get_or_create(key=key, defaults={"swept_at": now, "sweeps": 1})
    if not created:
        Delivery.objects.filter(pk=row.pk).update(swept_at=now, sweeps=F("sweeps") + 1)


def recently_handled(keys: list[str], *, since: timedelta) -> set[str]:
    """Keys sent, leased, swept or attempted within `since`: the sweeper leaves them alone."""
    now = timezone.now()
    rows = Delivery.objects.filter(key__in=keys).values_list(
        "key", "state", "lease_until", "swept_at", "updated_at"
    )
    busy: set[str] = set()
    for key, state, lease_until, swept_at, updated_at in rows:
        leased = lease_until is not None and lease_until > now
        recent = updated_at > now - since or (swept_at is not None and swept_at > now - since)
        # A failed send waits for its retry (backoff up to an hour): the task runner holds it.
        retrying = state == Delivery.State.FAILED and updated_at > now - RETRY_HORIZON
        if state == Delivery.State.SENT or leased or recent or retrying:
            busy.add(key)
    return busy
