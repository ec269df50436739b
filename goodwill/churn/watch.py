"""Rebuilding the watch list: every customer's rhythm from their conversations, a chunk of
customers at a time (one query per chunk, plus one per signal for the overdue ones), never a
query per customer. The result replaces the ChurnEntry table in one transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db import transaction
from django.db.models import Max

from goodwill.accounts.models import Agent
from goodwill.churn.models import ChurnEntry, ChurnRun, ChurnSettings, Signal
from goodwill.churn.rhythm import Rhythm, Thresholds, rhythm_of, rhythm_words
from goodwill.churn.signals import bad_experiences
from goodwill.conversations.models import Conversation
from goodwill.customers.models import Customer

CHUNK = 5000  # customer ids per read: ~50,000 conversations at ten per customer


@dataclass(frozen=True)
class TeamRules:
    enabled: bool
    limits: Thresholds
    signals: frozenset[str]


def _rules(row: ChurnSettings) -> TeamRules:
    return TeamRules(
        enabled=row.enabled,
        limits=Thresholds(
            factor=float(row.factor),
            default_interval_days=float(row.default_interval_days),
            min_interval_days=float(row.min_interval_days),
            min_history=row.min_history,
            conduct_at_most=row.conduct_at_most,
            mood_at_most=row.mood_at_most,
        ),
        signals=frozenset(signal for signal in Signal.values if row.uses(signal)),
    )


def rules_by_team() -> dict[int | None, TeamRules]:
    """Team id → its rules; None (no team, or a team without settings) → the defaults."""
    rules: dict[int | None, TeamRules] = {None: _rules(ChurnSettings())}
    for row in ChurnSettings.objects.all():
        rules[row.team_id] = _rules(row)
    return rules


@dataclass
class Candidate:
    customer_id: int
    team_id: int | None
    last_conversation_id: int
    last_conversation_at: datetime
    first_contact_at: datetime
    last_contact_at: datetime
    count: int
    rhythm: Rhythm
    rules: TeamRules


@dataclass
class Result:
    entries: list[ChurnEntry] = field(default_factory=list)
    customers_seen: int = 0
    seconds: float = 0.0


def _contacts(lo: int, hi: int) -> list[tuple[int, int, datetime, datetime | None, int | None]]:
    # Conversations the customer wrote in: an outreach conversation nobody answered is no contact.
    return list(
        Conversation.objects.filter(
            customer_id__gte=lo,
            customer_id__lt=hi,
            merged_into__isnull=True,
            last_inbound_at__isnull=False,
            customer__is_internal=False,
        )
        .exclude(channel=Conversation.Channel.INTERNAL)
        .order_by("customer_id", "created_at", "id")
        .values_list("customer_id", "id", "created_at", "last_inbound_at", "team_id")
    )


def overdue_in(
    lo: int, hi: int, now: datetime, rules: dict[int | None, TeamRules]
) -> tuple[list[Candidate], int]:
    """Customers with ids in [lo, hi) silent past their usual interval (one query), and how many were seen."""
    candidates, seen = [], 0
    for customer_id, rows_iter in groupby(_contacts(lo, hi), key=itemgetter(0)):
        rows = list(rows_iter)
        seen += 1
        _cid, last_id, last_at, _inbound, team_id = rows[-1]
        team_rules = rules.get(team_id, rules[None])
        if not team_rules.enabled or not team_rules.signals:
            continue
        last_contact = max(row[3] or row[2] for row in rows)
        rhythm = rhythm_of([row[2] for row in rows], last_contact, now, team_rules.limits)
        if rhythm.overdue:
            candidates.append(
                Candidate(
                    customer_id,
                    team_id,
                    last_id,
                    last_at,
                    rows[0][2],
                    last_contact,
                    len(rows),
                    rhythm,
                    team_rules,
                )
            )
    return candidates, seen


def _values(customer_ids: list[int]) -> dict[int, Decimal | None]:
    return dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "organisation__value"))


def _entry(
    candidate: Candidate, found: list[tuple[str, str]], value: Decimal | None, now: datetime
) -> ChurnEntry:
    words = [text for _signal, text in found]
    at = candidate.last_conversation_at
    reason = f"Last conversation {at.day} {at:%b}: {'; '.join(words)}; {rhythm_words(candidate.rhythm)}."
    return ChurnEntry(
        rank=0,
        customer_id=candidate.customer_id,
        team_id=candidate.team_id,
        last_conversation_id=candidate.last_conversation_id,
        value=value,
        first_contact_at=candidate.first_contact_at,
        last_contact_at=candidate.last_contact_at,
        conversation_count=candidate.count,
        usual_interval_days=round(candidate.rhythm.usual_days, 2),
        interval_basis=candidate.rhythm.basis[:120],
        silent_days=round(candidate.rhythm.silent_days, 2),
        factor=candidate.rules.limits.factor,
        signals=[signal for signal, _text in found],
        reasons=words,
        reason=reason[:1000],
        computed_at=now,
    )


def listed_among(candidates: list[Candidate], now: datetime) -> list[ChurnEntry]:
    """The candidates whose last conversation was a bad experience, as unranked entries."""
    by_conversation = {candidate.last_conversation_id: candidate for candidate in candidates}
    found = bad_experiences(
        by_conversation,
        {pk: candidate.rules.limits for pk, candidate in by_conversation.items()},
        {pk: candidate.rules.signals for pk, candidate in by_conversation.items()},
    )
    bad = [by_conversation[pk] for pk in found]
    values = _values([candidate.customer_id for candidate in bad])
    return [
        _entry(candidate, found[candidate.last_conversation_id], values.get(candidate.customer_id), now)
        for candidate in bad
    ]


def rank(entries: list[ChurnEntry]) -> list[ChurnEntry]:
    """Most valuable first (unknown value last), then longest known, then most conversations."""
    entries.sort(
        key=lambda e: (
            e.value is None,
            -(e.value or 0),
            e.first_contact_at,
            -e.conversation_count,
            e.customer_id,
        )
    )
    for position, entry in enumerate(entries, start=1):
        entry.rank = position
    return entries


def compute_watch(now: datetime, *, chunk: int = CHUNK) -> Result:
    """The watch list as of `now`, ranked, not saved."""
    started = time.perf_counter()
    result = Result()
    rules = rules_by_team()
    top = Customer.objects.aggregate(top=Max("pk"))["top"] or 0
    for lo in range(0, top + 1, chunk):
        candidates, seen = overdue_in(lo, lo + chunk, now, rules)
        result.customers_seen += seen
        result.entries.extend(listed_among(candidates, now))
    rank(result.entries)
    result.seconds = time.perf_counter() - started
    return result


def rebuild_watch(
    now: datetime, *, trigger: str = "job", by: Agent | None = None, chunk: int = CHUNK
) -> ChurnRun:
    """Recompute and replace the watch list in one transaction; readers see the old or the new list."""
    started = time.perf_counter()
    result = compute_watch(now, chunk=chunk)
    with transaction.atomic():
        ChurnEntry.objects.all().delete()
        ChurnEntry.objects.bulk_create(result.entries, batch_size=1000)
        return ChurnRun.objects.create(
            started_at=now,
            seconds=round(time.perf_counter() - started, 3),
            customers_seen=result.customers_seen,
            listed=len(result.entries),
            trigger=trigger,
            by=by,
        )
