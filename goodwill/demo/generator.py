"""The demo data set: deterministic, realistic, and fast enough for a million conversations.

Everything derives from one `random.Random(seed)` and a fixed anchor time, so the same
seed, size and anchor give identical rows (including ids, on a fresh database). The parts:

- `staff.py`: teams, agents, tags, custom fields and needs, through the normal services;
- `people.py`: organisations, customers and their identities;
- `conversations.py`: conversations with their messages, notes, events and tags;
- `timeline.py`: the events of those rows;
- `bulk.py` (and `writer.py`): the bulk load, one transaction per batch, with the
  database tuned for it; `attachments.py`: a few sample files for small data sets.

`seed_demo` below runs them in order; `goodwill seed-demo` is its command.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Max

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Counter, Event
from goodwill.demo.attachments import attach_samples
from goodwill.demo.automation import seed_automation
from goodwill.demo.basics import DEMO_ADMIN, DEMO_AGENT, HISTORY_DAYS, MARKER, Dice
from goodwill.demo.bulk import (
    BulkTables,
    finish_load,
    from_child_process,
    indexes_deferred,
    max_id,
    search_paused,
    tuned_for_loading,
    vacuum_and_analyze,
)
from goodwill.demo.churn import seed_churn
from goodwill.demo.complaints import seed_complaints
from goodwill.demo.conversations import ConversationRows
from goodwill.demo.data import seed_retention
from goodwill.demo.expectations import seed_expectations
from goodwill.demo.insights import seed_insights
from goodwill.demo.knowledge import seed_knowledge
from goodwill.demo.listening import seed_listening
from goodwill.demo.memory import seed_memory
from goodwill.demo.people import Customers, customer_count_for, load_people
from goodwill.demo.promises import seed_promises
from goodwill.demo.recovery import seed_recovery
from goodwill.demo.staff import Staff, create_staff
from goodwill.demo.timeline import EventIds
from goodwill.demo.voice import seed_voice
from goodwill.demo.webform import seed_web_forms
from goodwill.demo.writer import TimeFormat, epoch_seconds

__all__ = [
    "DEMO_ADMIN",
    "DEMO_AGENT",
    "HISTORY_DAYS",
    "MARKER",
    "SeedReport",
    "customer_count_for",
    "demo_data_present",
    "seed_demo",
]

ATTACHMENTS_UP_TO = 5000  # demo-sized data sets get a few sample files
PARALLEL_FROM = 50_000  # conversations; below that, forking costs more than it saves


@dataclass
class SeedReport:
    conversations: int = 0
    messages: int = 0
    events: int = 0
    customers: int = 0
    organisations: int = 0
    seconds: float = 0.0
    long_conversation: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def demo_data_present() -> bool:
    return Counter.objects.filter(name=MARKER).exists() or Agent.objects.filter(email=DEMO_ADMIN).exists()


def seed_demo(
    *,
    conversations: int,
    seed: int,
    anchor: datetime,
    batch_size: int = 5000,
    parallel: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Load the demo data set. `anchor` is "now" for the data: the newest activity is just before it.

    `parallel` generates the rows in a second process (default: from 50,000 conversations on,
    with more than one CPU); the data is the same either way.
    """
    if parallel is None:
        parallel = conversations >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
    seeder = _Seeder(conversations, seed, epoch_seconds(anchor), batch_size, parallel, progress)
    return seeder.run()


class _Seeder:
    def __init__(
        self,
        total: int,
        seed: int,
        anchor: int,
        batch_size: int,
        parallel: bool,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.started = time.perf_counter()
        self.say = progress or (lambda _text: None)
        self.rng = Dice(seed)
        self.total = total
        self.anchor = anchor
        self.batch_size = batch_size
        self.parallel = parallel
        self.fmt = TimeFormat(connection.vendor)
        self.tables = BulkTables.create(now_text=self.fmt(anchor) or "")
        self.report = SeedReport()

    def run(self) -> SeedReport:
        with tuned_for_loading():
            fresh = not Conversation.objects.exists()
            with search_paused():
                staff = create_staff(self.anchor)
                seed_retention()
                seed_web_forms(staff.support_id)
                with indexes_deferred(fresh):
                    events = EventIds(max_id(Event))
                    customers = self._people(events)
                    self.say(f"  people done after {self._elapsed()} ({time.process_time():.0f} s CPU)")
                    number_base = self._conversations(staff, customers, events)
                    self.say(f"  rows done after {self._elapsed()}; building indexes…")
                self.report.extra.update(seed_memory(self.total, self.anchor, customers.base))
                finish_load(
                    customer_base=customers.base,
                    last_number=number_base + self.total,
                    conversations=self.total,
                )
                self.report.events = events.issued
                seed_promises(anchor=self.anchor)
                self.report.extra.update(seed_voice(anchor=self.anchor))  # voice: surveys, NPS/CES, extra mile
                self.report.extra.update(seed_complaints(anchor=self.anchor))  # insights: complaints, improvements
                seed_expectations(anchor=self.anchor, say=self.say)
                seed_automation()  # automation issue: rules, assignment, webhooks, rule runs
                if self.total <= ATTACHMENTS_UP_TO:
                    attach_samples()
                seed_listening(progress=self.say)
                self.report.extra.update(seed_churn(anchor=self.anchor))  # churn watch: values, one rebuild
                seed_recovery(anchor=self.anchor)  # service recovery (issue 15): cases and their steps
                self.say(
                    f"  indexes done after {self._elapsed()} ({time.process_time():.0f} s CPU); "
                    "indexing for search…"
                )
        if connection.vendor == "postgresql":
            self.say(f"  search indexes done after {self._elapsed()}; vacuum and statistics…")
            vacuum_and_analyze()
        self.report.extra.update(seed_knowledge())  # knowledge base, prepared answers, need model
        self.report.extra.update(seed_insights(progress=self.say))  # dashboards' summaries, from every row above
        self.report.seconds = time.perf_counter() - self.started
        return self.report

    def _elapsed(self) -> str:
        return f"{time.perf_counter() - self.started:.1f} s"

    def _people(self, events: EventIds) -> Customers:
        customers = load_people(
            rng=self.rng,
            fmt=self.fmt,
            tables=self.tables,
            events=events,
            anchor=self.anchor,
            conversations=self.total,
            batch_size=self.batch_size,
        )
        self.report.organisations = customers.organisations
        self.report.customers = len(customers)
        return customers

    def _conversations(self, staff: Staff, customers: Customers, events: EventIds) -> int:
        """Generate and insert the conversations batch by batch; returns the number before the first."""
        current = Counter.objects.filter(name="conversation").values_list("value", flat=True).first() or 0
        number_base = max(current, Conversation.objects.aggregate(m=Max("number"))["m"] or 0)
        rows = ConversationRows(
            rng=self.rng,
            fmt=self.fmt,
            anchor=self.anchor,
            total=self.total,
            batch_size=self.batch_size,
            staff=staff,
            customers=customers,
            events=events,
            conversation_base=max_id(Conversation),
            message_base=max_id(Message),
            number_base=number_base,
        )
        batches = from_child_process(rows.batches()) if self.parallel else rows.batches()
        report, reported = self.report, 0
        for batch in batches:
            self.tables.insert(batch)
            events.last = batch.state["event_id"]  # generated in the child, when parallel
            report.long_conversation = batch.state["long_conversation"] or report.long_conversation
            report.conversations += len(batch.conversations)
            report.messages += len(batch.messages)
            if report.conversations - reported >= 100_000 or report.conversations == self.total:
                reported = report.conversations
                self.say(
                    f"  {reported:,} conversations, {report.messages:,} messages "
                    f"({time.process_time():.0f} s CPU so far)"
                )
        return number_base
