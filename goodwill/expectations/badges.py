"""What agents see of the SLA clocks: the countdown badge on inbox rows, the panel on the
conversation, the "Breaching soon" view and the "time left" sort (registered by
ExpectationsConfig.ready())."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.conversations.badges import Badge
from goodwill.conversations.models import Conversation
from goodwill.conversations.panels import Panel, has_rows
from goodwill.conversations.selectors import CLOSED_STATUS_VALUES, InboxView
from goodwill.core.prepared import PreparedQuery
from goodwill.expectations.models import SlaTarget

LIVE = [SlaTarget.Status.RUNNING, SlaTarget.Status.PAUSED]
KIND_LABELS = dict(SlaTarget.Kind.choices)


def breaching_window() -> timedelta:
    return timedelta(minutes=getattr(settings, "SLA_BREACHING_SOON_MINUTES", 120))


def format_span(span: timedelta) -> str:
    """ "2d 3h", "1h 20m", "45m", "under 1m": the two largest units."""
    minutes = int(abs(span).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m" if minutes else "under 1m"


def countdown(
    kind: str, status: str, due_at: datetime | None, warn_at: datetime | None, now: datetime
) -> Badge:
    label = str(KIND_LABELS.get(kind, kind))
    if status == SlaTarget.Status.PAUSED or due_at is None:
        return Badge("SLA paused", "sla sla-paused", f"{label}: clock paused while waiting on the customer")
    shown = timezone.localtime(due_at).strftime("%a %d %b %H:%M")
    if due_at <= now:
        return Badge(f"Overdue {format_span(now - due_at)}", "sla sla-breached", f"{label} was due {shown}")
    level = "sla-warn" if warn_at is not None and warn_at <= now else "sla-ok"
    return Badge(f"{format_span(due_at - now)} left", f"sla {level}", f"{label} due {shown}")


# Built once per process: the inbox asks on every page (core.prepared).
_LIVE_TARGETS = PreparedQuery(
    lambda ids: SlaTarget.objects.filter(conversation_id__in=ids, status__in=LIVE).values_list(
        "conversation_id", "kind", "status", "due_at", "warn_at"
    )
)


def row_badges(conversation_ids: list[int]) -> dict[int, list[Badge]]:
    """The nearest live target of each row, as a countdown (one query for the page)."""
    nearest: dict[int, tuple[Any, ...]] = {}
    for row in _LIVE_TARGETS.rows(conversation_ids):
        current = nearest.get(row[0])
        if current is None or _sooner(row, current):
            nearest[row[0]] = row
    now = timezone.now()
    return {
        pk: [countdown(kind, status, due, warn, now)]
        for pk, (_pk, kind, status, due, warn) in nearest.items()
    }


def _sooner(row: tuple[Any, ...], current: tuple[Any, ...]) -> bool:
    # A running clock beats a paused one; between running ones the earlier due time wins.
    if current[3] is None:
        return row[3] is not None
    return row[3] is not None and row[3] < current[3]


def sla_panel(request: HttpRequest, conversation: Conversation) -> Panel | None:
    if not has_rows(request, conversation, SlaTarget):
        return None
    targets = list(conversation.sla_targets.order_by("-started_at", "-id")[:12])
    if not targets:
        return None
    now = timezone.now()
    rows = [
        {
            "target": target,
            "badge": countdown(target.kind, target.status, target.due_at, target.warn_at, now)
            if target.is_live
            else None,
            "margin": format_span(timedelta(seconds=abs(target.margin_seconds or 0))),
        }
        for target in targets
    ]
    return Panel("expectations/_panel.html", {"rows": rows})


TIME_LEFT_SORT: dict[str, Any] = {
    "name": "time_left",
    "fields": [("sla_due_at", False), ("id", False)],
    "needs": Q(sla_due_at__isnull=False),
    "datetime_fields": ("sla_due_at",),
}


def _breaching(agent: Agent) -> Q:
    # Written like the partial index conv_open_sla_due, so a page is a range scan on it.
    return (
        ~Q(status__literal_in=CLOSED_STATUS_VALUES)
        & Q(sla_due_at__isnull=False)
        & Q(sla_due_at__lte=timezone.now() + breaching_window())
    )


BREACHING_VIEW = InboxView("breaching", "Breaching soon", "time_left", _breaching)


def offer_sort_choice() -> None:
    """Put "Time left" in the inbox's sort menu."""
    from goodwill.conversations.forms import SORT_CHOICES

    if all(value != "time_left" for value, _label in SORT_CHOICES):
        SORT_CHOICES.append(("time_left", "Time left (SLA)"))
