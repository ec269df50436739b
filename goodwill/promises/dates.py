"""Date phrases in a reply, resolved to a due time in the agent's time zone.

Pure functions, no Django. Relative phrases ("tomorrow", "by Friday", "within 48 hours",
"within 3 working days", "by the end of the week") are our own rules, so the conventions in
the README hold exactly; written dates ("on 2 December", "12/14", "15.12.2026") are read by
dateparser, given only the span our pattern found (never the whole sentence, the way
`search_dates` would read it), so its known false hits ("We will…" read as Wednesday, "may" as
May) never reach it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from goodwill.promises.calendar import WorkingCalendar

END_OF_DAY = time(17, 0)  # a promise for a day is due at the end of that working day
LAST_MINUTE = time(23, 59)  # "today" said after 17:00
FIRST_THING = time(10, 0)
MORNING = time(12, 0)
LUNCHTIME = time(13, 0)
EVENING = time(21, 0)
CHRISTMAS_EVE = (12, 24)
NEW_YEARS_EVE = (12, 31)

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14,
    "a couple of": 2, "couple of": 2, "a few": 3, "a day or two": 2,
}  # fmt: skip
US_ZONES = {
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
    "America/Anchorage", "America/Adak", "America/Detroit", "America/Boise", "America/Juneau",
    "America/Puerto_Rico", "Pacific/Honolulu",
}  # fmt: skip
US_PREFIXES = ("US/", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/")

MONTHS = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)"
_NUM = r"(?:\d+(?:\s*(?:-|–|—|to|or)\s*\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|a\s+couple\s+of|couple\s+of|a\s+few)"
_DAYNAME = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_DAYABBR = r"(?:mon|tues?|wed|weds|thur?s?|fri|sat|sun)"


def month_first_for(zone: ZoneInfo) -> bool:
    """Numeric dates are month-first (12/14) in the United States, day-first (14/12) elsewhere."""
    key = zone.key
    return key in US_ZONES or key.startswith(US_PREFIXES)


@dataclass
class Context:
    now: datetime  # aware, in the agent's zone
    zone: ZoneInfo
    calendar: WorkingCalendar
    month_first: bool

    @property
    def today(self) -> date:
        return self.now.date()

    def at(self, day: date, when: time) -> datetime:
        return datetime.combine(day, when, tzinfo=self.zone)

    def later(self, **delta: float) -> datetime:
        """An exact span from now: "within 48 hours" is 48 real hours, across a DST change too."""
        return (self.now.astimezone(UTC) + timedelta(**delta)).astimezone(self.zone)

    def day_due(self, day: date) -> datetime:
        """A day-level promise: the end of that working day (today after 17:00: the day's last minute)."""
        due = self.at(day, END_OF_DAY)
        if day == self.today and due <= self.now:
            return self.at(day, LAST_MINUTE)
        return due


@dataclass
class Hit:
    start: int
    end: int
    kind: str  # "day" (a date, time of day open), "exact" (a moment), "time" (a time of day only)
    day: date | None = None
    moment: datetime | None = None
    clock: time | None = None
    default_clock: time | None = None  # the day phrase's own time ("tonight" → 21:00)
    standalone_tomorrow: bool = False  # a bare time phrase that means the next morning


Resolver = Callable[[re.Match[str], Context], Hit | None]


def _number(raw: str) -> int:
    raw = re.sub(r"\s+", " ", raw.strip().lower())
    if raw in NUMBERS:
        return NUMBERS[raw]
    parts = re.findall(r"\d+", raw)
    return int(parts[-1]) if parts else 1  # a range ("5-10") is due at its later end


def _duration(m: re.Match[str], ctx: Context) -> Hit | None:
    if m["hour"]:
        return Hit(m.start(), m.end(), "exact", moment=ctx.later(hours=1))
    if m["two"]:
        return Hit(m.start(), m.end(), "day", day=ctx.today + timedelta(days=2))
    raw_unit = (m["unit"] or "").lower()
    amount = _number(m["n"] or "1")
    if raw_unit.startswith(("hour", "hr", "h")):
        return Hit(m.start(), m.end(), "exact", moment=ctx.later(hours=amount))
    if raw_unit.startswith(("minute", "min")):
        return Hit(m.start(), m.end(), "exact", moment=ctx.later(minutes=amount))
    if raw_unit.startswith(("working", "business")):
        day = ctx.calendar.add_business_days(ctx.now, amount).date()
    elif raw_unit.startswith("fortnight"):
        day = ctx.today + timedelta(days=14 * amount)
    elif raw_unit.startswith("week"):
        day = ctx.today + timedelta(days=7 * amount)
    else:
        day = ctx.today + timedelta(days=amount)
    return Hit(m.start(), m.end(), "day", day=day)


def _next_working_day(m: re.Match[str], ctx: Context) -> Hit:
    return Hit(m.start(), m.end(), "day", day=ctx.calendar.add_business_days(ctx.now, 1).date())


def _tomorrow(m: re.Match[str], ctx: Context) -> Hit:
    days = 2 if "after" in m[0].lower() else 1
    return Hit(m.start(), m.end(), "day", day=ctx.today + timedelta(days=days))


def _today(m: re.Match[str], ctx: Context) -> Hit:
    phrase = m[0].lower()
    clock = None
    if "morning" in phrase:
        clock = MORNING
    elif "evening" in phrase or "tonight" in phrase:
        clock = EVENING
    return Hit(m.start(), m.end(), "day", day=ctx.today, default_clock=clock)


def _weekday(m: re.Match[str], ctx: Context) -> Hit | None:
    target = WEEKDAYS[m["day"].lower()]
    modifier = (m["mod"] or "").lower().split()
    today = ctx.today
    if "next" in modifier or m["nextweek"]:
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        day = monday + timedelta(days=target)
    else:
        ahead = (target - today.weekday()) % 7
        if ahead == 0 and modifier != ["this"]:
            ahead = 7  # "by Friday" said on a Friday: the next one
        day = today + timedelta(days=ahead)
    return Hit(m.start(), m.end(), "day", day=day)


def _friday_of(day: date) -> date:
    if day.weekday() > 4:
        day += timedelta(days=7 - day.weekday())
    return day + timedelta(days=4 - day.weekday())


def _week(m: re.Match[str], ctx: Context) -> Hit:
    phrase = m[0].lower()
    if "next" in phrase:
        monday = ctx.today - timedelta(days=ctx.today.weekday()) + timedelta(days=7)
        day = monday + timedelta(days=1 if "early" in phrase else 4)
    else:
        day = _friday_of(ctx.today)
    return Hit(m.start(), m.end(), "day", day=day)


def _month_end(m: re.Match[str], ctx: Context) -> Hit:
    year, month = ctx.today.year, ctx.today.month
    if "next" in m[0].lower():
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Hit(m.start(), m.end(), "day", day=following - timedelta(days=1))


def _holiday(m: re.Match[str], ctx: Context) -> Hit:
    month, day = NEW_YEARS_EVE if "new" in m[0].lower() else CHRISTMAS_EVE
    target = date(ctx.today.year, month, day)
    if target < ctx.today:
        target = date(ctx.today.year + 1, month, day)
    return Hit(m.start(), m.end(), "day", day=target)


def _ordinal_day(m: re.Match[str], ctx: Context) -> Hit | None:
    number = int(m["dom"])
    year, month = ctx.today.year, ctx.today.month
    for _ in range(3):
        try:
            candidate = date(year, month, number)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= ctx.today:
            return Hit(m.start(), m.end(), "day", day=candidate)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


@functools.cache
def _date_parser(month_first: bool) -> Any:
    """dateparser's parser for English written dates, built once per date order (building is slow)."""
    from dateparser.date import DateDataParser

    order = "MDY" if month_first else "DMY"
    return DateDataParser(languages=["en"], settings={"DATE_ORDER": order, "PREFER_DAY_OF_MONTH": "first"})


def _written_date(m: re.Match[str], ctx: Context) -> Hit | None:
    span = m["date"]
    value = _date_parser(ctx.month_first).get_date_data(span.rstrip(".")).date_obj
    if value is None:
        return None
    day = value.date()
    if not re.search(r"\d{4}", span):
        # no year written: the first such date from today on ("on 2 December" said on 7 December: next year's)
        try:
            day = day.replace(year=ctx.today.year)
            if day < ctx.today:
                day = day.replace(year=ctx.today.year + 1)
        except ValueError:
            return None
    return Hit(m.start("date"), m.end(), "day", day=day)


def _clock(m: re.Match[str], ctx: Context) -> Hit | None:
    phrase = m[0].lower().strip()
    standalone_tomorrow = False
    if phrase.startswith("first thing"):
        clock, standalone_tomorrow = FIRST_THING, True
    elif "morning" in phrase:
        clock, standalone_tomorrow = MORNING, True
    elif "afternoon" in phrase:
        clock = END_OF_DAY
    elif "evening" in phrase:
        clock = EVENING
    elif "lunch" in phrase:
        clock = LUNCHTIME
    elif "noon" in phrase or "midday" in phrase:
        clock = time(12, 0)
    elif "midnight" in phrase:
        clock = LAST_MINUTE
    else:
        hour, minute = int(m["hh"]), int(m["mm"] or 0)
        suffix = (m["ampm"] or "").replace(".", "").lower()
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        elif not suffix and not m["mm"] and hour < 8:
            hour += 12  # "by 5 o'clock": office hours
        if hour > 23 or minute > 59:
            return None
        clock = time(hour, minute)
    return Hit(m.start(), m.end(), "time", clock=clock, standalone_tomorrow=standalone_tomorrow)


_F = re.IGNORECASE
PATTERNS: list[tuple[re.Pattern[str], Resolver]] = [
    (
        re.compile(
            r"\b(?:within|in|inside\s+of|over)\s+(?:the\s+next\s+|the\s+coming\s+|next\s+)?"
            r"(?:(?P<hour>the\s+(?P<unit0>hour))|(?P<two>a\s+day\s+or\s+two)|(?P<n>" + _NUM + r")\s*"
            r"(?P<unit>(?:working|business)\s+days?|hours?|hrs?|h|minutes?|mins?|days?|weeks?|fortnights?))\b"
            r"|\b(?:within|in)\s+(?P<n2>an?)\s+(?P<unit2>hour)\b",
            _F,
        ),
        lambda m, ctx: _duration_any(m, ctx),
    ),
    (re.compile(r"\b(?:the\s+)?next\s+(?:working|business)\s+day\b", _F), _next_working_day),
    (re.compile(r"\b(?:the\s+day\s+after\s+tomorrow|tomorrow|tmrw)\b", _F), _tomorrow),
    (
        re.compile(
            r"\b(?:later\s+today|today|later\s+this\s+(?:morning|afternoon|evening)|this\s+(?:morning|afternoon|evening)"
            r"|tonight|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|today)|(?:by\s+)?close\s+of\s+business"
            r"|EOD|COB)\b",
            _F,
        ),
        _today,
    ),
    (
        re.compile(
            r"\b(?:(?:the\s+)?end\s+of\s+(?:the|this|next)\s+week|EOW|(?:by|before)\s+the\s+weekend"
            r"|later\s+this\s+week|this\s+week|(?:early|later|sometime)?\s*next\s+week)\b",
            _F,
        ),
        _week,
    ),
    (
        re.compile(r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)month|month[-\s]end)\b", _F),
        _month_end,
    ),
    (
        re.compile(
            r"\b(?:(?:before|by|ahead\s+of|in\s+time\s+for|on)\s+(?:christmas|xmas)(?:\s+eve)?"
            r"|(?:before|by)\s+(?:the\s+)?new\s+year(?:['’]s)?(?:\s+eve)?)\b",
            _F,
        ),
        _holiday,
    ),
    (
        re.compile(
            r"\b(?P<date>\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTHS + r"\.?(?:,?\s+\d{4})?"
            r"|" + MONTHS + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
            r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}(?:[/.](?:\d{4}|\d{2}))?\.?)(?![\d:])",
            _F,
        ),
        _written_date,
    ),
    (re.compile(r"\bthe\s+(?P<dom>\d{1,2})(?:st|nd|rd|th)\b", _F), _ordinal_day),
    (
        re.compile(
            r"\b(?:(?P<mod>next|this\s+coming|this|coming)\s+)?(?P<day>"
            + _DAYNAME
            + r")\b(?P<nextweek>\s+next\s+week)?"
            r"|\b(?P<mod2>on|by|before|until|till|next|this)\s+(?P<abbr>" + _DAYABBR + r")\b",
            _F,
        ),
        lambda m, ctx: _weekday_any(m, ctx),
    ),
    (
        re.compile(
            r"\b(?:first\s+thing(?:\s+in\s+the\s+morning)?|(?:in\s+the\s+)?(?:morning|afternoon|evening)"
            r"|(?:at\s+)?lunch(?:time)?|noon|midday|midnight"
            r"|(?:(?:at|by|before|around|until|till)\s+)?(?P<hh>\d{1,2})(?::(?P<mm>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)"
            r"|(?:at|by|before|until|till)\s+(?P<hh2>\d{1,2})(?:[:.](?P<mm2>\d{2})|\s*o['’]clock))",
            _F,
        ),
        lambda m, ctx: _clock_any(m, ctx),
    ),
]


class _Groups:
    """A match-like view with alternative group names folded together."""

    def __init__(self, m: re.Match[str], aliases: dict[str, str]):
        self._m, self._aliases = m, aliases

    def __getitem__(self, key: str | int) -> str | None:
        if isinstance(key, int):
            return self._m[key]
        value = self._m[key]
        if value is None and key in self._aliases:
            value = self._m[self._aliases[key]]
        return value

    def start(self, group: int | str = 0) -> int:
        return self._m.start(group)

    def end(self, group: int | str = 0) -> int:
        return self._m.end(group)


def _duration_any(m: re.Match[str], ctx: Context) -> Hit | None:
    if m["n2"]:
        return Hit(m.start(), m.end(), "exact", moment=ctx.later(hours=1))
    return _duration(_Groups(m, {"unit": "unit0"}), ctx)  # type: ignore[arg-type]


def _weekday_any(m: re.Match[str], ctx: Context) -> Hit | None:
    return _weekday(_Groups(m, {"day": "abbr", "mod": "mod2"}), ctx)  # type: ignore[arg-type]


def _clock_any(m: re.Match[str], ctx: Context) -> Hit | None:
    return _clock(_Groups(m, {"hh": "hh2", "mm": "mm2"}), ctx)  # type: ignore[arg-type]


def find_hits(text: str, ctx: Context) -> list[Hit]:
    """Every date phrase in `text`, longest first where they overlap, in reading order."""
    candidates: list[Hit] = []
    for pattern, resolve in PATTERNS:
        for m in pattern.finditer(text):
            if not m[0].strip():
                continue
            hit = resolve(m, ctx)
            if hit is not None:
                candidates.append(hit)
    candidates.sort(key=lambda h: (-(h.end - h.start), h.start))
    chosen: list[Hit] = []
    for hit in candidates:
        if all(hit.end <= other.start or hit.start >= other.end for other in chosen):
            chosen.append(hit)
    chosen.sort(key=lambda h: h.start)
    return _combine(text, chosen, ctx)


_JOIN = re.compile(r"^[\s,]*(?:at|by|on|in\s+the|around|before|between|from)?[\s,]*$", re.IGNORECASE)
_RANGE = re.compile(r"^\s*(?:or|to|-|–|—|and|until|till)\s*$", re.IGNORECASE)


def _combine(text: str, hits: list[Hit], ctx: Context) -> list[Hit]:
    """Pair a day with a time next to it ("Friday at 3pm", "by noon tomorrow"); keep the later end
    of a range ("Monday or Tuesday", "between the 3rd and the 5th"); resolve lone times."""
    merged: list[Hit] = []
    used: set[int] = set()
    owner: dict[int, int] = {}
    for i, hit in enumerate(hits):
        if i in used or hit.kind != "time":
            continue
        day_before = owner.get(i - 1)
        if day_before is not None and _RANGE.match(text[hits[day_before].end : hit.start]):
            # "tomorrow between 9am and 12pm": due at the later end
            earlier = hits[day_before].clock
            hits[day_before].clock = max(earlier, hit.clock) if earlier and hit.clock else hit.clock
            hits[day_before].end = hit.end
            used.add(i)
            owner[i] = day_before
            continue
        for j in (i + 1, i - 1):
            if 0 <= j < len(hits) and j not in used and hits[j].kind == "day":
                gap = text[min(hit.end, hits[j].end) : max(hit.start, hits[j].start)]
                if _JOIN.match(gap):
                    hits[j].clock = hits[j].clock or hit.clock  # "first thing tomorrow morning": the first
                    hits[j].start, hits[j].end = min(hit.start, hits[j].start), max(hit.end, hits[j].end)
                    used.add(i)
                    owner[i] = j
                    break
    for i, hit in enumerate(hits):
        if i in used:
            continue
        moment = _moment(hit, ctx)
        if merged and _RANGE.match(text[merged[-1].end : hit.start]):
            previous = merged.pop()
            later = max(previous.moment or moment, moment)
            merged.append(Hit(previous.start, hit.end, "exact", moment=later))
            continue
        merged.append(Hit(hit.start, hit.end, "exact", moment=moment))
    return merged


def _moment(hit: Hit, ctx: Context) -> datetime:
    if hit.kind == "exact" and hit.moment is not None:
        return hit.moment.astimezone(ctx.zone)
    if hit.kind == "time" and hit.clock is not None:
        day = ctx.today
        if hit.standalone_tomorrow or ctx.at(day, hit.clock) <= ctx.now:
            day += timedelta(days=1)
        return ctx.at(day, hit.clock)
    assert hit.day is not None
    clock = hit.clock or hit.default_clock
    if clock is not None:
        return ctx.at(hit.day, clock)
    return ctx.day_due(hit.day)
