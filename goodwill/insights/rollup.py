"""Keep `DailyFigures` right: what each conversation adds, refreshed by difference, or rebuilt.

One rule, `contributions`, says what a set of conversations adds to the daily figures, read
from the source tables in a few bulk queries. Everything else is bookkeeping around it:

- `refresh(ids)` (the event subscriber and the catch-up sweep) recomputes the conversations,
  subtracts what they added last time (`Contribution`) and adds the new figures: running it
  twice, or for a conversation that did not change, changes nothing.
- `rebuild()` (the `rebuild-insights` command, the demo seeder) recomputes everything in chunks.
- `sweep(now)` (every minute) refreshes every conversation with an event since the sweep
  before last, which catches what other apps' subscribers wrote after ours ran (a message's mood score, an
  SLA clock's outcome): the summaries are never more than a sweep behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event
from goodwill.expectations.models import SlaTarget
from goodwill.insights.models import (
    MEASURES,
    Contribution,
    DailyAgentFigures,
    DailyFigures,
    DailyOrganisationFigures,
    Figures,
    OpenWork,
    SweepState,
)  # fmt: skip

Key = tuple[
    str, int, str, int, int, int, bool
]  # day (ISO), team, channel, need, agent, organisation, internal
Parts = dict[Key, list[float]]
KEY_FIELDS = ("day", "team_id", "channel", "need_id", "agent_id", "organisation_id", "internal")
CHUNK = 2000
_INDEX = {name: i for i, name in enumerate(MEASURES)}


def _day(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date().isoformat()
    return moment.isoformat()


def _add(parts: Parts, key: Key, **measures: float) -> None:
    row = parts.setdefault(key, [0] * len(MEASURES))
    for name, value in measures.items():
        row[_INDEX[name]] += value


def contributions(ids: Sequence[int], open_work: list[OpenWork] | None = None) -> dict[int, Parts]:
    """What each conversation in `ids` adds to the daily figures now (absent ids add nothing);
    the open ones among them are appended to `open_work`, when given, under their keys now."""
    result: dict[int, Parts] = {pk: {} for pk in ids}
    attrs: dict[
        int, tuple[int, str, int, int, int, bool]
    ] = {}  # team, channel, need, assignee, org, internal
    opened_day: dict[int, str] = {}
    rows = Conversation.objects.filter(pk__in=ids).values_list(
        "pk", "team_id", "channel", "need_id", "assignee_id", "customer__organisation_id",
        "customer__is_internal", "created_at", "first_response_at", "solved_at", "status",
    )  # fmt: skip
    for pk, team, channel, need, assignee, org, internal, created, first_response, solved, status in rows:
        attrs[pk] = (team or 0, channel, need or 0, assignee or 0, org or 0, bool(internal))
        team, channel, need, assignee, org, internal = attrs[pk]
        if open_work is not None and status not in Conversation.FINISHED_STATUSES:  # the rest is open work
            open_work.append(OpenWork(conversation_id=pk, team_id=team, channel=channel, need_id=need,
                                      agent_id=assignee, organisation_id=org, internal=internal))  # fmt: skip
        parts = result[pk]
        opened_day[pk] = _day(created)
        key = (opened_day[pk], team, channel, need, assignee, org, internal)
        _add(parts, key, opened=1)
        if first_response is not None:
            _add(parts, key, first_responses=1, first_response_seconds=_seconds(first_response - created))
        if solved is not None:
            solved_key = (_day(solved), team, channel, need, assignee, org, internal)
            _add(parts, solved_key, solved=1, resolutions=1, resolution_seconds=_seconds(solved - created))
    _add_messages(result, attrs)
    _add_sla(result, attrs, opened_day)
    return result


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def _add_messages(result: dict[int, Parts], attrs: dict[int, tuple[int, str, int, int, int, bool]]) -> None:
    messages = Message.objects.filter(conversation_id__in=list(attrs)).annotate(day=TruncDate("created_at"))
    inbound = (
        messages.filter(direction=Message.Direction.INBOUND)
        .values_list("conversation_id", "day")
        .annotate(
            n=Count("pk"),
            mood_sum=Sum("listening_score__sentiment", filter=Q(listening_score__scored=True)),
            mood_scored=Count(
                "pk", filter=Q(listening_score__scored=True, listening_score__sentiment__isnull=False)
            ),
            mood_negative=Count(
                "pk", filter=Q(listening_score__scored=True, listening_score__polarity="neg")
            ),
        )
        .order_by()
    )
    for pk, day, n, mood_sum, scored, negative in inbound:
        team, channel, need, assignee, org, internal = attrs[pk]
        key = (_day(day), team, channel, need, assignee, org, internal)
        _add(result[pk], key, inbound=n, mood_sum=mood_sum or 0.0, mood_scored=scored, mood_negative=negative)
    replies = (
        messages.filter(direction=Message.Direction.OUTBOUND, kind=Message.Kind.REPLY)
        .values_list("conversation_id", "day", "author_agent_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for pk, day, author, n in replies:
        team, channel, need, _assignee, org, internal = attrs[pk]
        _add(result[pk], (_day(day), team, channel, need, author or 0, org, internal), replies=n)


def _add_sla(
    result: dict[int, Parts],
    attrs: dict[int, tuple[int, str, int, int, int, bool]],
    opened_day: dict[int, str],
) -> None:
    outcomes = (
        SlaTarget.objects.filter(conversation_id__in=list(attrs), outcome__in=["met", "breached"])
        .filter(kind__in=[SlaTarget.Kind.FIRST_RESPONSE, SlaTarget.Kind.RESOLUTION])
        .values_list("conversation_id", "kind", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for pk, kind, outcome, n in outcomes:
        team, channel, need, assignee, org, internal = attrs[pk]
        key = (opened_day[pk], team, channel, need, assignee, org, internal)
        _add(result[pk], key, **{f"{kind}_{outcome}": n})


def _encode(parts: Parts) -> list[list[Any]]:
    return [[*key, *values] for key, values in sorted(parts.items())]


def _decode(rows: Iterable[Sequence[Any]]) -> Parts:
    width = len(KEY_FIELDS)
    return {tuple(row[:width]): list(row[width:]) for row in rows}  # type: ignore[misc]


def refresh(ids: Iterable[int]) -> int:
    """Bring the figures of these conversations up to date; returns how many keys changed."""
    changed = 0
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            changed += _refresh_chunk(ids[start : start + CHUNK])
    return changed


def _refresh_chunk(ids: list[int]) -> int:
    # Lock what these conversations added (PostgreSQL), so two refreshes of one conversation
    # apply their differences one after the other; SQLite writers are serial already.
    old = {c.conversation_id: c.parts for c in Contribution.objects.select_for_update().filter(pk__in=ids)}
    open_work: list[OpenWork] = []
    new = contributions(ids, open_work)
    _replace_open_work(ids, open_work)
    delta: Parts = {}
    for pk in ids:
        before, after = _decode(old.get(pk, [])), new[pk]
        for key in before.keys() | after.keys():
            a, b = after.get(key), before.get(key)
            diff = [x - y for x, y in zip(a or [0] * len(MEASURES), b or [0] * len(MEASURES), strict=True)]
            if any(diff):
                row = delta.setdefault(key, [0] * len(MEASURES))
                delta[key] = [x + d for x, d in zip(row, diff, strict=True)]
    for model, key, diff in _per_table(delta):
        _apply(model, key, diff)
    stale = [pk for pk in ids if _encode(new[pk]) != old.get(pk, [])]
    Contribution.objects.filter(pk__in=stale).delete()
    Contribution.objects.bulk_create(
        [Contribution(conversation_id=pk, parts=_encode(new[pk])) for pk in stale if new[pk]]
    )
    return len(delta)


def _replace_open_work(ids: list[int], rows: list[OpenWork]) -> None:
    """The open-work rows of these conversations become `rows` (whatever they were before)."""
    stored = {
        (w.conversation_id, w.team_id, w.channel, w.need_id, w.agent_id, w.organisation_id, w.internal)
        for w in OpenWork.objects.filter(pk__in=ids)
    }
    wanted = {
        (w.conversation_id, w.team_id, w.channel, w.need_id, w.agent_id, w.organisation_id, w.internal)
        for w in rows
    }
    if stored == wanted:
        return  # the usual case: a reply or a score changed nothing here
    OpenWork.objects.filter(pk__in=ids).delete()
    OpenWork.objects.bulk_create(rows, ignore_conflicts=True)  # a parallel refresh may have written it


def forget_deleted_conversations() -> int:
    """Remove the open-work rows of conversations that no longer exist (erased with their customer);
    one anti-join over the open conversations, for a rare event."""
    gone = ~Exists(Conversation.objects.filter(pk=OuterRef("conversation_id")))
    deleted, _ = OpenWork.objects.filter(gone).delete()
    return deleted


TABLES: tuple[type[Figures], ...] = (DailyFigures, DailyAgentFigures, DailyOrganisationFigures)


def _per_table(parts: Parts) -> list[tuple[type[Figures], Key, list[float]]]:
    """Full keys folded into each table's own: no agent and organisation; no organisation;
    everything, for customers in an organisation."""
    folded: dict[type[Figures], Parts] = {model: {} for model in TABLES}
    for (day, team, channel, need, agent, org, internal), values in parts.items():
        targets: list[tuple[Any, Key]] = [(DailyFigures, (day, team, channel, need, 0, 0, internal)),
                   (DailyAgentFigures, (day, team, channel, need, agent, 0, internal))]  # fmt: skip
        if org:
            targets.append((DailyOrganisationFigures, (day, team, channel, need, agent, org, internal)))
        for model, key in targets:
            row = folded[model].setdefault(key, [0] * len(MEASURES))
            folded[model][key] = [x + v for x, v in zip(row, values, strict=True)]
    return [(model, key, values) for model in TABLES for key, values in folded[model].items()]


def _apply(model: type[Figures], key: Key, diff: list[float]) -> None:
    where = dict(zip(KEY_FIELDS, key, strict=True))
    changes = {name: F(name) + value for name, value in zip(MEASURES, diff, strict=True) if value}
    if changes and not model.objects.filter(**where).update(**changes):  # type: ignore[attr-defined]
        model.objects.create(**where, **dict(zip(MEASURES, diff, strict=True)))  # type: ignore[attr-defined]


def rebuild(*, progress: Callable[[int, int], None] | None = None, chunk: int = CHUNK) -> int:
    """Recompute every summary from the source tables; returns the number of `DailyFigures` rows.

    Idempotent. While it runs, subscribers and the sweep leave the tables alone; afterwards the
    conversations with events since the start are refreshed, so nothing that happened meanwhile
    is missed.
    """
    first_event = _newest_event_id()
    _set_rebuilding(timezone.now())
    try:
        Contribution.objects.all().delete()  # read only by refresh, which waits for the rebuild
        open_work: list[OpenWork] = []  # swapped in with the summaries, so "open now" is never partial
        totals: Parts = {}
        total = Conversation.objects.count()
        done, last = 0, 0
        while True:
            ids = list(
                Conversation.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
            )
            if not ids:
                break
            parts = contributions(ids, open_work)
            Contribution.objects.bulk_create(
                [Contribution(conversation_id=pk, parts=_encode(p)) for pk, p in parts.items()]
            )
            for conversation_parts in parts.values():
                for key, values in conversation_parts.items():
                    row = totals.setdefault(key, [0] * len(MEASURES))
                    totals[key] = [x + v for x, v in zip(row, values, strict=True)]
            done, last = done + len(ids), ids[-1]
            if progress:
                progress(done, total)
        folded = _per_table(totals)
        with transaction.atomic():
            OpenWork.objects.all().delete()
            OpenWork.objects.bulk_create(open_work, batch_size=1000)
            for model in TABLES:
                model.objects.all().delete()  # type: ignore[attr-defined]
                model.objects.bulk_create(  # type: ignore[attr-defined]
                    (
                        model(
                            **dict(zip(KEY_FIELDS, key, strict=True)),
                            **dict(zip(MEASURES, values, strict=True)),
                        )
                        for table, key, values in folded
                        if table is model
                    ),
                    batch_size=1000,
                )
    finally:
        _set_rebuilding(None)
    refresh(_conversations_with_events_after(first_event))
    SweepState.objects.filter(pk=1).update(previous_event_id=first_event, last_event_id=_newest_event_id())
    return sum(1 for table, _key, _values in folded if table is DailyFigures)


def _newest_event_id() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _set_rebuilding(moment: datetime | None) -> None:
    SweepState.objects.update_or_create(pk=1, defaults={"rebuilding_since": moment})


def rebuilding() -> bool:
    """True while a rebuild runs (a rebuild that died over six hours ago no longer counts)."""
    since = SweepState.objects.filter(pk=1).values_list("rebuilding_since", flat=True).first()
    return since is not None and since > timezone.now() - timedelta(hours=6)


def _conversations_with_events_after(event_id: int) -> list[int]:
    rows = Event.objects.filter(pk__gt=event_id, conversation__isnull=False).values_list(
        "conversation_id", flat=True
    )
    return sorted(set(rows))


def sweep(now: datetime) -> str | None:
    """The periodic catch-up: refresh the conversations of every event of the last two sweeps."""
    if rebuilding():
        return "rebuild in progress"
    newest = _newest_event_id()
    state, created = SweepState.objects.get_or_create(
        pk=1, defaults={"last_event_id": newest, "previous_event_id": newest}
    )
    if created:
        return "started following the event log"  # earlier history is the rebuild's job
    ids = _conversations_with_events_after(state.previous_event_id)
    changed = refresh(ids)
    SweepState.objects.filter(pk=1).update(
        previous_event_id=state.last_event_id, last_event_id=newest, swept_at=now
    )
    return f"{len(ids)} conversations checked, {changed} daily rows changed"
