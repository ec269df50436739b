"""Date ranges for reports: a lead's inclusive local dates as UTC bounds, and local days in SQL.

Dashboards group rows by the local calendar day (the current time zone, which a view may set
to the agent's), then fold days into weeks or months in Python. The day is computed by the
database itself: PostgreSQL converts with `AT TIME ZONE`; SQLite stores UTC text, so the
offsets that apply inside the range (at most a few, at daylight-saving changes) are written
into the query as a `CASE` around the built-in `date()` function, which keeps the grouping in
C instead of a Python function called once per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import DateField, Expression, FloatField, Func, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

DAILY_UP_TO = 45  # days in the range; longer ranges are shown by week
WEEKLY_UP_TO = 190  # days; longer ranges are shown by month


def bounds(start: date, end: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[since, until): local midnight of `start` to local midnight after `end`, as aware datetimes."""
    tz = tz or timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return since, until


def _offset(moment: datetime, tz: tzinfo) -> timedelta:
    return moment.astimezone(tz).utcoffset() or timedelta(0)


def offset_spans(since: datetime, until: datetime, tz: tzinfo) -> list[tuple[datetime | None, timedelta]]:
    """The UTC offsets in force between `since` and `until`: [(in force until, offset)…], last open-ended."""
    spans: list[tuple[datetime | None, timedelta]] = []
    current = _offset(since, tz)
    day = since
    while day < until:
        following = day + timedelta(days=1)
        if _offset(following, tz) != current:
            step = day
            while _offset(step, tz) == current:  # changes fall on quarter hours
                step += timedelta(minutes=15)
            spans.append((step, current))
            current = _offset(step, tz)
        day = following
    spans.append((None, current))
    return spans


class LocalDate(Func):
    """The local calendar date of a datetime column, for rows between `since` and `until`."""

    output_field = DateField()

    def __init__(
        self, expression: Any, *, since: datetime, until: datetime, tz: tzinfo | None = None
    ) -> None:
        self.tz = tz or timezone.get_current_timezone()
        self.spans = offset_spans(since, until, self.tz)
        super().__init__(expression)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]  # PostgreSQL…
        return TruncDate(self.source_expressions[0], tzinfo=self.tz).as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.source_expressions[0])
        params = list(params)
        if len(self.spans) == 1 and not self.spans[0][1]:
            return f"substr({column}, 1, 10)", params  # stored as "YYYY-MM-DD HH:MM:SS…" in UTC
        if len(self.spans) == 1:
            return f"date({column}, %s)", [*params, _modifier(self.spans[0][1])]
        cases = []
        case_params: list[Any] = []
        for ends, offset in self.spans[:-1]:
            assert ends is not None
            cases.append(f"WHEN {column} < %s THEN %s")
            case_params += [*params, connection.ops.adapt_datetimefield_value(ends), _modifier(offset)]
        case = f"CASE {' '.join(cases)} ELSE %s END"
        return f"date({column}, {case})", [*params, *case_params, _modifier(self.spans[-1][1])]


def _modifier(offset: timedelta) -> str:
    return f"{int(offset.total_seconds() // 60):+d} minutes"


@dataclass(frozen=True)
class Buckets:
    """The x axis of a trend: days, weeks (from Monday) or months covering [start, end]."""

    start: date
    end: date
    unit: str  # "day" | "week" | "month"
    firsts: Sequence[date]  # the first day of each bucket

    @classmethod
    def for_range(cls, start: date, end: date) -> Buckets:
        days = (end - start).days + 1
        unit = "day" if days <= DAILY_UP_TO else "week" if days <= WEEKLY_UP_TO else "month"
        firsts: list[date] = []
        current = cls._first_of(start, unit)
        while current <= end:
            firsts.append(current)
            current = cls._next(current, unit)
        return cls(start, end, unit, firsts)

    @staticmethod
    def _first_of(day: date, unit: str) -> date:
        if unit == "week":
            return day - timedelta(days=day.weekday())
        if unit == "month":
            return day.replace(day=1)
        return day

    @staticmethod
    def _next(day: date, unit: str) -> date:
        if unit == "day":
            return day + timedelta(days=1)
        if unit == "week":
            return day + timedelta(days=7)
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)

    @property
    def labels(self) -> list[str]:
        if self.unit == "month":
            return [first.strftime("%Y-%m") for first in self.firsts]
        if self.unit == "week":
            return [f"week of {first.isoformat()}" for first in self.firsts]
        return [first.isoformat() for first in self.firsts]

    def index(self, day: date | str) -> int:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        return self.firsts.index(self._first_of(day, self.unit))

    def spread(self, counts: Iterable[tuple[date | str, int]]) -> list[int]:
        """Per-day counts folded into one total per bucket."""
        totals = [0] * len(self.firsts)
        for day, count in counts:
            totals[self.index(day)] += count
        return totals


def local_date(field: str | Expression, since: datetime, until: datetime) -> LocalDate:
    return LocalDate(field, since=since, until=until)


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return part / whole if whole else None


def percent(part: int, whole: int) -> str:
    value = share(part, whole)
    return "–" if value is None else f"{value:.0%}"


class ElapsedSeconds(Func):
    """Seconds from one datetime column to another, computed by the database (no per-row Python)."""

    output_field = FloatField()

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]  # PostgreSQL
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"EXTRACT(EPOCH FROM ({end[0]} - {start[0]}))", [*end[1], *start[1]]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        end, start = (compiler.compile(e) for e in self.source_expressions)
        return f"((julianday({end[0]}) - julianday({start[0]})) * 86400.0)", [*end[1], *start[1]]


def median_seconds(rows: QuerySet[Any, Any], end: str, start: str, count: int) -> float | None:
    """The median of `end - start` over `count` rows (their number, known to the caller); one query."""
    if not count:
        return None
    ordered = (
        rows.annotate(elapsed=ElapsedSeconds(end, start))
        .order_by("elapsed")
        .values_list("elapsed", flat=True)
    )
    middle = list(ordered[(count - 1) // 2 : count // 2 + 1])
    return float(sum(middle)) / len(middle) if middle else None  # PostgreSQL answers a Decimal


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


class Unindexed(Func):
    """A joined column compared without its index on SQLite (unary `+`), so the planner starts from the
    report's own table and its date index instead of scanning, say, every conversation of a team."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params


def narrowed(rows: QuerySet[Any, Any], **lookups: object) -> QuerySet[Any, Any]:
    """rows.filter(path=value) for each lookup whose value is set, through `Unindexed` columns."""
    for number, (path, value) in enumerate(lookups.items()):
        if value is None or value == "":
            continue
        name = f"_narrow_{number}"
        rows = rows.alias(**{name: Unindexed(path)}).filter(**{name: value})
    return rows
