"""The extra-mile report's stored figures: one row per local day, team, agent and "with an
extra-mile action or not" (`ExtraMileDay`), so the report sums a few hundred rows instead of
searching every finished conversation's future (8.7 s of CPU at 100,000 conversations).

A day is rebuilt whole, set-based: its finished conversations grouped in SQL with the grid's
"came back" rule (`grid.came_back`: a new conversation or a posted return within 30 and 90 days of
the end). What can change a day's figures marks it stale (`ExtraMileStale`), and the job
`voice.returns` rebuilds the stale days:

- a conversation solved, closed, reopened, reassigned, moved to a team, merged, its feedback
  answered, an extra-mile action logged: the day it ends now and the day it was counted in
  (`ExtraMileCounted`), so a reopened conversation leaves its old day. The subscriber is cheap:
  a status change between unfinished statuses marks nothing without a query, and its batch form
  marks the days of many events at once (the worker runs waiting tasks of one subscriber together);
- a customer coming back (a new conversation, a posted return) or two customers merged: the days
  of that customer's finished conversations (returns.py).

The first run marks every day. A day's "came back" counts are final once the window has passed,
so the report counts a day only when the window has passed for the whole day (whole local days).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.core.models import Counter, Event
from goodwill.voice.grid import WINDOWS, came_back
from goodwill.voice.models import ExtraMile, ExtraMileCounted, ExtraMileDay, ExtraMileStale

BUILT = "voice.extra_mile.built"
DAYS_PER_RUN = 60


def _day() -> TruncDate:
    return TruncDate("ended", tzinfo=timezone.get_current_timezone())


def finished() -> Any:
    """Finished conversations annotated with `ended` and its local `day`."""
    return Conversation.objects.finished().with_ended().annotate(day=_day())


def _mark(days: Iterable[date | None]) -> int:
    """Mark days stale, after the change that moved them is committed (see `rebuild_stale_days`)."""
    now = timezone.now()
    stale = [ExtraMileStale(day=day, marked_at=now) for day in set(days) if day is not None]
    ExtraMileStale.objects.bulk_create(
        stale, update_conflicts=True, unique_fields=["day"], update_fields=["marked_at"], batch_size=500
    )
    return len(stale)


def mark_conversations(ids: QuerySet[Any, Any] | list[int]) -> int:
    """Mark stale the days these conversations end on now and the days they were counted in."""
    now = finished().filter(pk__in=ids).values_list("day", flat=True).distinct()
    before = ExtraMileCounted.objects.filter(conversation_id__in=ids).values_list("day", flat=True).distinct()
    return _mark([*now, *before])


def mark_customers(
    customer_ids: QuerySet[Any, Any] | list[int],
    *,
    returned_at: datetime | None = None,
    first_return: datetime | None = None,
) -> int:
    """A customer was merged: the days of their finished conversations; a customer came back at
    `returned_at`: only the conversations that ended in the 90 days before (the longest window).
    Returns from `first_return` to `returned_at` (a batch of them): the 90 days before the first up
    to the last."""
    conversations = Conversation.objects.filter(customer_id__in=customer_ids)
    if returned_at is not None:
        since = (first_return or returned_at) - timedelta(days=max(WINDOWS))
        conversations = conversations.filter(
            Q(solved_at__gte=since, solved_at__lt=returned_at)
            | Q(solved_at__isnull=True, last_message_at__gte=since, last_message_at__lt=returned_at)
        )
    return mark_conversations(conversations.values("pk"))


def _may_move(event: Event) -> bool:
    """False for a status change between two unfinished statuses (new, open, pending…): no day
    counts an unfinished conversation, so nothing can move. Most status changes are these."""
    if event.kind != Event.Kind.STATUS_CHANGED:
        return True
    before, after = (event.before or {}).get("status"), (event.after or {}).get("status")
    if not isinstance(before, str) or not isinstance(after, str):
        return True  # not known: mark
    return before in Conversation.FINISHED_STATUSES or after in Conversation.FINISHED_STATUSES


def conversation_changed(event: Event) -> None:
    """Subscriber: a change that moves a conversation in or out of a day, a team, an agent or a count."""
    conversations_changed([event])


def conversations_changed(events: list[Event]) -> None:
    """The batch form: the days of all the events' conversations, marked once each (three
    queries at most, whatever the number of events); none for status changes that move nothing."""
    ids = {
        event.conversation_id for event in events if event.conversation_id is not None and _may_move(event)
    }
    if ids:
        mark_conversations(sorted(ids))


conversation_changed.batch = conversations_changed  # type: ignore[attr-defined]


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return datetime.combine(first, time.min, zone), datetime.combine(last + timedelta(days=1), time.min, zone)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as contiguous (first, last) runs, so each is one index range."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _in_run(first: date, last: date) -> Any:
    since, until = _bounds(first, last)
    # Either index range (solved_at; last_message_at for the few closed without solving), then the day.
    rows = Conversation.objects.finished().filter(
        Q(solved_at__gte=since, solved_at__lt=until)
        | Q(solved_at__isnull=True, last_message_at__gte=since, last_message_at__lt=until)
    )
    return rows.with_ended().annotate(day=_day())


def _figures(first: date, last: date) -> list[ExtraMileDay]:
    """The days' figures, grouped in SQL: one row per day, team, agent and with or without an action."""
    back = {d: came_back(d, since="ended", customer="customer_id") for d in WINDOWS}
    answered = Q(survey__answered_at__isnull=False)
    grouped: Any = (
        _in_run(first, last)
        .annotate(went=Exists(ExtraMile.objects.filter(conversation_id=OuterRef("pk"))))
        .values("day", "team_id", "assignee_id", "went")
        .annotate(
            conversations=Count("pk"),
            answers=Count("pk", filter=answered),
            need_met=Count("pk", filter=answered & Q(survey__outcome="yes")),
            conduct_total=Coalesce(Sum("survey__conduct", filter=answered), 0),
            conduct_count=Count("survey__conduct", filter=answered),
            **{f"returned_{d}": Count("pk", filter=back[d]) for d in WINDOWS},
        )
        .order_by()
    )
    counts = ("conversations", "answers", "need_met", "conduct_total", "conduct_count")
    return [
        ExtraMileDay(
            day=row["day"],
            team_id=row["team_id"],
            agent_id=row["assignee_id"],
            went=row["went"],
            **{name: row[name] for name in counts},
            **{f"returned_{d}": row[f"returned_{d}"] for d in WINDOWS},
        )
        for row in grouped
    ]


def _store(first: date, last: date, figures: list[ExtraMileDay]) -> None:
    """Replace the days' figures and where each conversation is counted (inside a transaction)."""
    ExtraMileDay.objects.filter(day__gte=first, day__lte=last).delete()
    ExtraMileDay.objects.bulk_create(figures, batch_size=2000)
    rows = _in_run(first, last)
    ExtraMileCounted.objects.filter(day__gte=first, day__lte=last).delete()
    # Counted elsewhere before (it moved here): that day is stale too and loses it when rebuilt.
    ExtraMileCounted.objects.filter(conversation_id__in=rows.values("pk")).delete()
    # Where each conversation is counted: one INSERT … SELECT, no rows through Python.
    sql, params = rows.values("pk", "day").query.sql_with_params()
    table = ExtraMileCounted._meta.db_table
    insert = f'INSERT INTO "{table}" ("conversation_id", "day") SELECT * FROM ({sql}) AS run'  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(insert, params)


def _mark_everything() -> None:
    with transaction.atomic():
        counter, _ = Counter.objects.select_for_update().get_or_create(name=BUILT)
        if counter.value:
            return
        _mark(finished().values_list("day", flat=True).distinct())
        counter.value = 1
        counter.save(update_fields=["value"])


def rebuild_stale_days(*, limit: int | None = DAYS_PER_RUN) -> int:
    """Rebuild up to `limit` stale days (every day on the first run); returns the days rebuilt.

    The slow part (searching each conversation's future) reads outside any transaction, so no
    write lock is held meanwhile; the figures are then replaced in one short transaction per run of
    days, which clears only the marks made before the read began: a change committed during the
    rebuild marks its day again (every mark is made after its change commits) and the next run
    takes it. A crash leaves the marks, so the days are rebuilt next time.
    """
    _mark_everything()
    rebuilt = 0
    done: set[date] = set()  # a day marked again meanwhile waits for the next run
    while limit is None or rebuilt < limit:
        step = 30 if limit is None else min(30, limit - rebuilt)
        stale = ExtraMileStale.objects.exclude(day__in=done).order_by("-day")
        days = list(stale.values_list("day", flat=True)[:step])
        if not days:
            break
        done.update(days)
        for first, last in _runs(days):
            read_at = timezone.now()
            figures = _figures(first, last)
            with transaction.atomic():
                _store(first, last, figures)
                ExtraMileStale.objects.filter(day__gte=first, day__lte=last, marked_at__lt=read_at).delete()
        rebuilt += len(days)
    return rebuilt
