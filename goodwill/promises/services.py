"""Changes to the promise ledger: confirm, drop, add by hand, reschedule, close, link the reply."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.promises.calendar import calendar_for
from goodwill.promises.detect import FoundPromise, find_promises
from goodwill.promises.models import Promise

MAX_TEXT = 500
KEPT, BROKEN, CANCELLED = "kept", "broken", "cancelled"
CLOSINGS = {KEPT: "Kept", BROKEN: "Broken", CANCELLED: "Cancelled"}
FAILED: dict[str, str] = {
    Promise.Outcome.LATE: Event.Kind.PROMISE_LATE,
    Promise.Outcome.BROKEN: Event.Kind.PROMISE_BROKEN,
}
SAID_TO_CUSTOMER = (Message.Kind.REPLY, Message.Kind.PHONE, Message.Kind.WALK_IN)  # a note is not


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _undecided(conversation: Conversation) -> QuerySet[Promise]:
    """Promises decided on for the draft in hand: confirmed or dropped, reply not sent yet."""
    return Promise.objects.filter(conversation=conversation, message__isnull=True)


def refresh_overdue_flags(conversation_ids: Iterable[int]) -> None:
    """Keep `Conversation.promise_overdue` (the "Promises due" view's index) for these
    conversations: set while any of their promises is open and flagged overdue. Called on every
    path that changes a promise's state or `overdue_at`; one UPDATE for the batch.

    The conversations are locked first, in a statement of their own, so that two transactions
    changing two promises of one conversation cannot each see the other's promise unchanged and
    leave a stale flag (the UPDATE then reads the promises after the other has committed).
    """
    ids = sorted(set(conversation_ids))
    if not ids:
        return
    overdue = Promise.objects.filter(
        conversation_id=OuterRef("pk"), state=Promise.State.OPEN, overdue_at__isnull=False
    )
    with transaction.atomic():
        conversations = Conversation.objects.filter(pk__in=ids)
        list(conversations.select_for_update().order_by("pk").values_list("pk", flat=True))
        conversations.update(promise_overdue=Exists(overdue))


def draft_promises(
    conversation: Conversation, agent: Agent, text: str, *, now: datetime | None = None
) -> list[FoundPromise]:
    """What the composer offers: promises found in the draft, minus those already confirmed or dropped."""
    found = find_promises(
        text, now=now or timezone.now(), tz=agent.zone, calendar=calendar_for(conversation.team)
    )
    if not found:
        return []
    decided = {normalise(t) for t in _undecided(conversation).values_list("text", flat=True)}
    return [p for p in found if normalise(p.text) not in decided]


def _clean(text: str, due_at: datetime | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write what was promised.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep the promise under {MAX_TEXT} characters.")
    if due_at is not None and timezone.is_naive(due_at):
        raise ValidationError("The due time needs a time zone.")
    return text


def confirm_promise(
    conversation: Conversation,
    *,
    by: Agent,
    text: str,
    due_at: datetime | None,
    source: str = Promise.Source.DETECTED,
    owner: Agent | None = None,
    at: datetime | None = None,
) -> Promise:
    """Store a promise `by` confirmed (or added by hand). Confirming the same words again for the
    same draft updates the due time instead of adding a second entry (a double click, a retry)."""
    require(by, Action.REPLY)
    text = _clean(text, due_at)
    owner = owner or by
    with transaction.atomic():
        existing = (
            _undecided(conversation)
            .select_for_update()
            .filter(created_by=by, text=text, state__in=[Promise.State.OPEN, Promise.State.DROPPED])
            .first()
        )
        if existing is not None:
            existing.state, existing.due_at, existing.owner = Promise.State.OPEN, due_at, owner
            existing.reminded_at = existing.overdue_at = None
            existing.save(update_fields=["state", "due_at", "owner", "reminded_at", "overdue_at"])
            refresh_overdue_flags([conversation.pk])
            return existing
        return Promise.objects.create(
            conversation=conversation,
            customer_id=conversation.customer_id,
            team_id=conversation.team_id,
            owner=owner,
            created_by=by,
            text=text,
            due_at=due_at,
            time_zone=owner.time_zone or "UTC",
            source=source,
            created_at=at or timezone.now(),
        )


def drop_detected(conversation: Conversation, *, by: Agent, text: str, at: datetime | None = None) -> Promise:
    """The agent says a detected sentence is not a promise: remembered so the composer stops offering it."""
    require(by, Action.REPLY)
    text = _clean(text, None)
    existing = _undecided(conversation).filter(created_by=by, text=text).first()
    if existing is not None:
        if existing.state == Promise.State.OPEN:
            with transaction.atomic():
                Promise.objects.filter(pk=existing.pk).update(state=Promise.State.DROPPED)
                refresh_overdue_flags([conversation.pk])
            existing.state = Promise.State.DROPPED
        return existing
    return Promise.objects.create(
        conversation=conversation,
        customer_id=conversation.customer_id,
        team_id=conversation.team_id,
        owner=by,
        created_by=by,
        text=text,
        time_zone=by.time_zone or "UTC",
        state=Promise.State.DROPPED,
        created_at=at or timezone.now(),
    )


def reschedule(promise: Promise, *, by: Agent, due_at: datetime | None) -> Promise:
    """A new due time (or none): reminders and the overdue flag start again."""
    require(by, Action.REPLY)
    if not promise.is_open:
        raise ValidationError("This promise is closed; reopen it by adding a new one.")
    _clean(promise.text, due_at)
    with transaction.atomic():
        Promise.objects.filter(pk=promise.pk).update(due_at=due_at, reminded_at=None, overdue_at=None)
        refresh_overdue_flags([promise.conversation_id])
    promise.refresh_from_db()
    return promise


def outcome_when_kept(promise: Promise, at: datetime) -> str:
    """Kept early: before the due day (in the owner's zone); on time: by the due time; else late."""
    if promise.due_at is None:
        return Promise.Outcome.KEPT_ON_TIME
    try:
        zone = ZoneInfo(promise.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    if at.astimezone(zone).date() < promise.due_at.astimezone(zone).date():
        return Promise.Outcome.KEPT_EARLY
    return Promise.Outcome.KEPT_ON_TIME if at <= promise.due_at else Promise.Outcome.LATE


def close_promise(
    promise: Promise, *, by: Agent, closing: str, reason: str = "", at: datetime | None = None
) -> Promise:
    """Record how it ended: `closing` is "kept" (early, on time or late, from the time), "broken" or
    "cancelled" (those two need a reason). Closing twice is refused; the first close stands."""
    require(by, Action.REPLY)
    if closing not in CLOSINGS:
        raise ValidationError("Choose kept, broken or cancelled.")
    reason = (reason or "").strip()
    if closing != KEPT and not reason:
        raise ValidationError("Say why the promise was broken or cancelled.")
    at = at or timezone.now()
    if closing == KEPT:
        outcome = outcome_when_kept(promise, at)
    else:
        outcome = Promise.Outcome.BROKEN if closing == BROKEN else Promise.Outcome.CANCELLED
    with transaction.atomic():
        changed = Promise.objects.filter(pk=promise.pk, state=Promise.State.OPEN).update(
            state=Promise.State.CLOSED, outcome=outcome, reason=reason[:2000], closed_at=at, closed_by=by
        )
        if not changed:
            raise ValidationError("This promise was already closed.")
        refresh_overdue_flags([promise.conversation_id])
        promise.refresh_from_db()
        if outcome in FAILED:
            # Service recovery opens a case on these (goodwill/subscribers.py).
            record_event(
                FAILED[outcome],
                actor=by,
                conversation=promise.conversation,
                subject=promise,
                at=at,
                after={
                    "text": promise.text,
                    "outcome": outcome,
                    "reason": promise.reason,
                    "due_at": promise.due_at.isoformat() if promise.due_at else None,
                },
            )
    return promise


def link_reply(message: Message) -> int:
    """Attach the promises confirmed for a draft to the reply (or logged call) that carried them (idempotent).

    A promise is the reply's when its author confirmed or dropped it before sending, it has no
    reply yet, and its words are in the reply's text. Returns how many were linked.
    """
    if message.kind not in SAID_TO_CUSTOMER or message.author_agent_id is None:
        return 0
    body = normalise(message.text)
    candidates = _undecided(message.conversation).filter(
        created_by_id=message.author_agent_id, created_at__lte=message.created_at
    )
    ids = [p.pk for p in candidates.only("pk", "text") if normalise(p.text) in body]
    if not ids:
        return 0
    return Promise.objects.filter(pk__in=ids, message__isnull=True).update(message=message)
