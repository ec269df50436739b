"""Expectations measured: what customers waited, per month and segment (job "expectations.figures").

A conversation belongs to the month it was opened in (UTC) and to the segments "all",
"external" or "internal" (`Customer.is_internal`), and "org:<id>" for its organisation
(the TOP_ORGANISATIONS busiest organisations of the month with at least
MIN_ORG_CONVERSATIONS conversations: enough to read a distribution, few enough to choose from). Waits are wall-clock, as the
customer lives them: first response = first reply − opening, resolution = solved − opening.

The job is incremental: it reads the events recorded since its last run and recomputes only
the months of the conversations they touch (the first run computes every month).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime

from django.db import transaction
from django.db.models import Max, Min

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event
from goodwill.expectations.models import FiguresState, WaitingFigure

BANDS: list[tuple[int, str]] = [
    (0, "under 1 h"),
    (3600, "1–4 h"),
    (4 * 3600, "4–8 h"),
    (8 * 3600, "8–24 h"),
    (86400, "1–3 days"),
    (3 * 86400, "3–7 days"),
    (7 * 86400, "over 7 days"),
]
MIN_ORG_CONVERSATIONS = 20
TOP_ORGANISATIONS = 25
EVENT_BATCH = 50_000
KINDS_THAT_MOVE_WAITS = [Event.Kind.CONVERSATION_OPENED, Event.Kind.REPLY_SENT, Event.Kind.STATUS_CHANGED]


def band_of(seconds: int) -> int:
    found = 0
    for index, (lower, _label) in enumerate(BANDS):
        if seconds >= lower:
            found = index
    return found


def percentile(ordered: Sequence[int], share: float) -> int | None:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return None
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def _month_range(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def recompute_month(month: date) -> int:
    """Replace the month's figures from its conversations; returns how many rows it wrote."""
    start, end = _month_range(month)
    waits: dict[tuple[str, str], list[int]] = defaultdict(list)
    labels = {"all": "All customers", "external": "External customers", "internal": "Internal customers"}
    org_counts: dict[str, int] = defaultdict(int)
    rows = Conversation.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "created_at",
        "first_response_at",
        "solved_at",
        "customer__is_internal",
        "customer__organisation_id",
        "customer__organisation__name",
    )
    for created, first, solved, internal, org_id, org_name in rows.iterator(chunk_size=5000):
        segments = ["all", "internal" if internal else "external"]
        if org_id is not None:
            key = f"org:{org_id}"
            labels[key] = org_name
            org_counts[key] += 1
            segments.append(key)
        for kind, moment in (("first_response", first), ("resolution", solved)):
            if moment is not None and moment >= created:
                seconds = int((moment - created).total_seconds())
                for segment in segments:
                    waits[(segment, kind)].append(seconds)
    busiest = sorted(org_counts, key=lambda key: (-org_counts[key], key))[:TOP_ORGANISATIONS]
    shown = {key for key in busiest if org_counts[key] >= MIN_ORG_CONVERSATIONS}
    figures = []
    for (segment, kind), values in waits.items():
        if segment.startswith("org:") and segment not in shown:
            continue
        values.sort()
        bands = [0] * len(BANDS)
        for seconds in values:
            bands[band_of(seconds)] += 1
        figures.append(
            WaitingFigure(
                month=month,
                segment=segment,
                segment_label=labels[segment][:200],
                kind=kind,
                count=len(values),
                p50_seconds=percentile(values, 0.50),
                p75_seconds=percentile(values, 0.75),
                p90_seconds=percentile(values, 0.90),
                p95_seconds=percentile(values, 0.95),
                mean_seconds=sum(values) // len(values),
                bands=bands,
            )
        )
    with transaction.atomic():
        WaitingFigure.objects.filter(month=month).delete()
        WaitingFigure.objects.bulk_create(figures)
    return len(figures)


def _months_between(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def refresh_figures(now: datetime) -> str:
    """The periodic job: recompute the months that events since the last run touched."""
    state, _created = FiguresState.objects.get_or_create(pk=1)
    if state.last_event_id == 0:
        span = Conversation.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        top = Event.objects.aggregate(top=Max("pk"))["top"] or 0
        months = _months_between(span["first"].date(), span["last"].date()) if span["first"] else []
    else:
        batch = list(
            Event.objects.filter(pk__gt=state.last_event_id, kind__in=KINDS_THAT_MOVE_WAITS)
            .order_by("pk")
            .values_list("pk", "conversation__created_at")[:EVENT_BATCH]
        )
        if not batch:
            return ""
        top = batch[-1][0]
        months = sorted({created.astimezone(UTC).date().replace(day=1) for _pk, created in batch if created})
    written = sum(recompute_month(month) for month in months)
    FiguresState.objects.filter(pk=1).update(last_event_id=max(top, 1))
    return f"{len(months)} months, {written} figures"
