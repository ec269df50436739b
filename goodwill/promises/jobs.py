"""The worker's promise sweep (goodwill/schedules.py): remind owners before due, flag at due.

Idempotent across workers and retries: each promise is claimed with a conditional UPDATE
(`reminded_at` / `overdue_at` still empty) before its notice is raised, and the notice's key
(per promise and due time) makes `notify` skip a notice it already stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from goodwill.accounts.notifications import notify
from goodwill.promises.models import Promise
from goodwill.promises.services import refresh_overdue_flags

BATCH = 500


def remind_before() -> timedelta:
    return timedelta(minutes=getattr(settings, "GOODWILL_PROMISE_REMIND_MINUTES", 120))


def _url(promise: Promise) -> str:
    return reverse("conversations:detail", args=[promise.conversation.number])


def _local(promise: Promise) -> str:
    assert promise.due_at is not None
    owner = promise.owner
    zone = owner.zone if owner is not None else None
    due = promise.due_at.astimezone(zone) if zone else promise.due_at
    return due.strftime("%a %d %b %H:%M")


def send_reminders(now: datetime) -> int:
    """Tell each owner once, `remind_before()` ahead of the due time."""
    sent = 0
    due_soon = (
        Promise.objects.filter(
            state=Promise.State.OPEN,
            overdue_at__isnull=True,
            reminded_at__isnull=True,
            due_at__gt=now,
            due_at__lte=now + remind_before(),
        )
        .select_related("owner", "conversation")
        .order_by("due_at")[:BATCH]
    )
    for promise in due_soon:
        with transaction.atomic():
            if not Promise.objects.filter(pk=promise.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another worker has it
            if promise.owner is not None:
                notify(
                    [promise.owner],
                    key=f"promise-reminder:{promise.pk}:{promise.due_at:%Y%m%d%H%M}",
                    kind="promise",
                    title=f"Promise due {_local(promise)} on #{promise.conversation.number}",
                    body=promise.text,
                    url=_url(promise),
                    email=True,
                )
            sent += 1
    return sent


def flag_overdue(now: datetime) -> int:
    """At the due time an open promise is flagged (row badge, sidebar, "Promises due") and its owner told."""
    flagged = 0
    overdue = (
        Promise.objects.filter(state=Promise.State.OPEN, overdue_at__isnull=True, due_at__lte=now)
        .select_related("owner", "conversation")
        .order_by("due_at")[:BATCH]
    )
    for promise in overdue:
        with transaction.atomic():
            claimed = Promise.objects.filter(pk=promise.pk, state=Promise.State.OPEN, overdue_at__isnull=True)
            if not claimed.update(overdue_at=now, reminded_at=promise.reminded_at or now):
                continue
            refresh_overdue_flags([promise.conversation_id])
            if promise.owner is not None:
                notify(
                    [promise.owner],
                    key=f"promise-due:{promise.pk}:{promise.due_at:%Y%m%d%H%M}",
                    kind="promise",
                    title=f"Promise not kept yet, due {_local(promise)} on #{promise.conversation.number}",
                    body=promise.text,
                    url=_url(promise),
                    email=True,
                )
            flagged += 1
    return flagged


def sweep(now: datetime) -> str | None:
    """The periodic job: reminders, then flags. Returns a summary for the job's row."""
    reminded = send_reminders(now)
    flagged = flag_overdue(now)
    if not (reminded or flagged):
        return None
    return f"{reminded} reminder{'s' if reminded != 1 else ''}, {flagged} flagged overdue"
