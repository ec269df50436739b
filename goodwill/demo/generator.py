"""The demo data set: deterministic, realistic, and fast enough for a million conversations.

Everything derives from one `random.Random(seed)` and a fixed anchor time, so the same
seed, size and anchor give identical rows (including ids, on a fresh database). Bulk
tables are written with plain tuples (see `writer.py`), one transaction per batch, so
memory stays flat and SQLite reaches several hundred thousand rows a second.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import struct
import time
import zlib
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from json.encoder import encode_basestring as json_string
from typing import TypeVar

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max, Model

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.conversations.models import Attachment, ContactReason, Conversation, CustomField, Message, Tag
from goodwill.core.models import Counter, Event
from goodwill.core.services import raise_counter_to
from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.demo import content as c
from goodwill.demo.writer import (
    Table,
    TimeFormat,
    epoch_seconds,
    postgresql_load_prepared,
    reset_sequences,
    sqlite_indexes_deferred,
)

T = TypeVar("T")
DAY = 86_400
HISTORY_DAYS = 120
MARKER = "demo.seed"
DEMO_ADMIN = "admin@example.com"
DEMO_AGENT = "agent@example.com"
LONG_THREAD = 50  # messages in the conversation that page benchmarks open
ATTACHMENTS_UP_TO = 5000  # demo-sized data sets get a few sample files


class Dice(random.Random):
    """`random.Random` with cheaper `choice`/`randrange` (one `random()` call each).

    The standard ones draw bits in a Python loop; at millions of calls that was most
    of the generator's time. Still fully determined by the seed.
    """

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def weighted(self, population: Sequence[T], cum_weights: Sequence[float]) -> T:
        return population[bisect(cum_weights, self.random() * cum_weights[-1])]


Batch = tuple[list[tuple], list[tuple], list[tuple], list[tuple], dict[str, int]]


def _from_child_process(batches: Iterator[Batch]) -> Iterator[Batch]:
    """Generate rows in a forked process while this one inserts them: two cores, twice the work.

    The child only computes (it never touches the inherited database connection) and
    leaves with os._exit, so no connection clean-up runs twice.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=3)

    def produce() -> None:
        try:
            for batch in batches:
                queue.put(batch)
            queue.put(None)
        except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
            queue.put(RuntimeError(f"demo generator failed: {error!r}"))
        finally:
            queue.close()
            queue.join_thread()
            os._exit(0)

    process = context.Process(target=produce, daemon=True)
    process.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


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


def customer_count_for(conversations: int) -> int:
    """300 customers for a demo; about ten conversations per customer at scale."""
    return max(300, conversations // 10)


def seed_demo(
    *,
    conversations: int,
    seed: int,
    anchor: datetime,
    batch_size: int = 5000,
    parallel: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Load the demo data set. `anchor` is "now" for the data: the newest activity is just before it."""
    started = time.perf_counter()
    say = progress or (lambda _text: None)
    rng = Dice(seed)
    generator = _Generator(rng, conversations, epoch_seconds(anchor), batch_size, say)
    if parallel is None:
        parallel = conversations >= 50_000 and (os.cpu_count() or 1) > 1
    generator.parallel = parallel
    connection.ensure_connection()
    # PRAGMA synchronous cannot change inside a transaction (e.g. a test's).
    fast = connection.vendor == "sqlite" and not connection.in_atomic_block
    if fast:
        # Only this connection, only while seeding: a crash loses the half-made demo, nothing else.
        connection.connection.execute("PRAGMA synchronous=OFF")
        connection.connection.execute("PRAGMA cache_size=-262144")
    try:
        bulk_models: list[type[Model]] = [
            Organisation,
            Customer,
            Identity,
            Conversation,
            Conversation.tags.through,
            Message,
            Event,
        ]
        fresh = not Conversation.objects.exists()
        with _search_paused():
            generator.setup()
            with (
                sqlite_indexes_deferred(connection, bulk_models) if fresh else nullcontext(),
                postgresql_load_prepared(connection, bulk_models) if fresh else nullcontext(),
            ):
                generator.people()
                say(
                    f"  people done after {time.perf_counter() - started:.1f} s ({time.process_time():.0f} s CPU)"
                )
                generator.conversations()
                say(f"  rows done after {time.perf_counter() - started:.1f} s; building indexes…")
            generator.finish()
            say(
                f"  indexes done after {time.perf_counter() - started:.1f} s ({time.process_time():.0f} s CPU); "
                "indexing for search…"
            )
        if fast:
            # Planner statistics, sampled so this stays quick on a million rows.
            connection.connection.execute("PRAGMA analysis_limit=1000")
            connection.connection.execute("ANALYZE")
        if connection.vendor == "postgresql":
            say(f"  search indexes done after {time.perf_counter() - started:.1f} s; vacuum and statistics…")
            _postgresql_after_load()
    finally:
        if fast:
            connection.connection.execute("PRAGMA synchronous=NORMAL")
            connection.connection.execute("PRAGMA cache_size=-64000")
    report = generator.report
    report.seconds = time.perf_counter() - started
    return report


def _postgresql_after_load() -> None:
    """Planner statistics for every table, and (outside a transaction) a VACUUM.

    Without statistics the planner guesses row counts and may sort a million rows for
    one inbox page. VACUUM marks the freshly loaded pages all-visible, so index-only
    scans really skip the table, and the first page views do not write hint bits.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


@contextmanager
def _search_paused() -> Iterator[None]:
    """Index for search once after the load instead of row by row (triggers, GIN upkeep)."""
    from goodwill.search import schema
    from goodwill.search.services import search_sync_paused

    if connection.vendor == "postgresql":
        schema.create(connection)  # the generated column, if an older schema lacks it
        schema.drop_pg_indexes(connection)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                # Deferred foreign-key checks still pending in an outer transaction block CREATE INDEX.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                # A GIN index over millions of rows builds several times faster with room to sort.
                cursor.execute("SET maintenance_work_mem = '256MB'")
            schema.install(connection)
            with connection.cursor() as cursor:
                cursor.execute("RESET maintenance_work_mem")
        return
    with search_sync_paused():
        yield


class _Generator:
    def __init__(
        self, rng: Dice, total: int, anchor: int, batch_size: int, say: Callable[[str], None]
    ) -> None:
        self.rng = rng
        self.total = total
        self.anchor = anchor
        self.batch_size = batch_size
        self.say = say
        self.fmt = TimeFormat(connection.vendor)
        self.report = SeedReport()
        self.parallel = False
        now_text = self.fmt(anchor) or ""
        self.t_org = Table(
            connection,
            Organisation,
            ["id", "name", "domains", "notes", "created_at", "updated_at"],
            now_text=now_text,
        )
        self.t_customer = Table(
            connection,
            Customer,
            [
                "id",
                "name",
                "preferred_name",
                "pronunciation",
                "organisation_id",
                "language",
                "time_zone",
                "preferred_channel",
                "is_internal",
                "notes",
                "last_contact_at",
                "created_at",
                "updated_at",
            ],
            now_text=now_text,
        )
        self.t_identity = Table(
            connection,
            Identity,
            ["id", "customer_id", "kind", "value", "is_primary", "failing_since", "created_at"],
            now_text=now_text,
        )
        self.t_conv = Table(
            connection,
            Conversation,
            [
                "id",
                "number",
                "subject",
                "status",
                "priority",
                "channel",
                "customer_id",
                "assignee_id",
                "team_id",
                "custom_fields",
                "need_id",
                "need_met",
                "merged_into_id",
                "message_count",
                "last_message_at",
                "last_inbound_at",
                "first_response_at",
                "waiting_since",
                "solved_at",
                "closed_at",
                "created_at",
                "updated_at",
            ],
            now_text=now_text,
        )
        self.t_message = Table(
            connection,
            Message,
            [
                "id",
                "conversation_id",
                "direction",
                "kind",
                "channel",
                "author_agent_id",
                "author_customer_id",
                "text",
                "new_text",
                "html",
                "message_id",
                "raw_path",
                "delivery",
                "delivery_error",
                "created_at",
            ],
            now_text=now_text,
        )
        self.t_event = Table(
            connection,
            Event,
            [
                "id",
                "kind",
                "actor_id",
                "customer_id",
                "conversation_id",
                "subject_type",
                "subject_id",
                "before",
                "after",
                "created_at",
            ],
            now_text=now_text,
        )
        through = Conversation.tags.through
        self.t_tags = Table(connection, through, ["conversation_id", "tag_id"], now_text=now_text)

    # --- small tables, through the normal services ---------------------------------

    def setup(self) -> None:
        anchor_dt = datetime.fromtimestamp(self.anchor, tz=UTC)
        joined = anchor_dt - timedelta(days=400)
        with transaction.atomic():
            self.teams: dict[str, Team] = {}
            for slug, name, restricted, address in c.TEAMS:
                team, _ = Team.objects.get_or_create(
                    slug=slug, defaults={"name": name, "is_restricted": restricted, "email_address": address}
                )
                Team.objects.filter(pk=team.pk).update(created_at=joined)
                self.teams[slug] = team
            self.agents: dict[str, Agent] = {}
            for email, name, role, team_slugs, zone, password in c.AGENTS:
                agent, _ = create_or_update_agent(
                    email, name=name, role=role, time_zone=zone, password=password
                )
                Agent.objects.filter(pk=agent.pk).update(date_joined=joined)
                for slug in team_slugs:
                    add_to_team(agent, self.teams[slug])
                self.agents[email] = agent
            self.tags = [Tag.objects.get_or_create(name=name)[0].pk for name in c.TAGS]
            for position, (key, label, kind, choices) in enumerate(c.CUSTOM_FIELDS):
                CustomField.objects.get_or_create(
                    key=key, defaults={"label": label, "type": kind, "choices": choices, "position": position}
                )
            self.needs: list[tuple[int, str, str]] = []  # (reason id, parent name, leaf name)
            parents: dict[str, ContactReason] = {}
            for parent_name, leaf, keywords, *_ in c.TAXONOMY:
                if parent_name not in parents:
                    parents[parent_name] = ContactReason.objects.get_or_create(parent=None, name=parent_name)[
                        0
                    ]
                if leaf:
                    reason, _ = ContactReason.objects.get_or_create(
                        parent=parents[parent_name], name=leaf, defaults={"keywords": keywords}
                    )
                else:
                    reason = parents[parent_name]
                    if not reason.keywords:
                        ContactReason.objects.filter(pk=reason.pk).update(keywords=keywords)
                self.needs.append((reason.pk, parent_name, leaf))
        support = self.teams["support"].pk
        billing = self.teams["billing"].pk
        a = self.agents
        self.team_of_parent = {"Billing": billing}
        self.support_id = support
        self.billing_id = billing
        # (agent id, display name) with weights: the demo agent gets a good share of the work.
        self.repliers = {
            support: [
                (a[e].pk, a[e].name)
                for e in (
                    DEMO_AGENT,
                    "priya.shah@example.com",
                    "tom.becker@example.com",
                    "mei.lin@example.com",
                    DEMO_ADMIN,
                )
            ],
            billing: [
                (a[e].pk, a[e].name)
                for e in ("olu.adeyemi@example.com", "sofia.rossi@example.com", DEMO_ADMIN)
            ],
        }
        self.replier_weights = {
            support: list(accumulate((30, 22, 20, 20, 8))),
            billing: list(accumulate((45, 45, 10))),
        }
        self.light = (a["noah.kim@example.com"].pk, a["noah.kim@example.com"].name)
        self.demo_agent = (a[DEMO_AGENT].pk, a[DEMO_AGENT].name)

    # --- organisations, customers, identities -------------------------------------

    def people(self) -> None:
        rng, fmt = self.rng, self.fmt
        n_customers = customer_count_for(self.total)
        n_orgs = max(40, n_customers * 2 // 15)
        self.org_base = Organisation.objects.aggregate(m=Max("id"))["m"] or 0
        self.customer_base = Customer.objects.aggregate(m=Max("id"))["m"] or 0
        identity_base = Identity.objects.aggregate(m=Max("id"))["m"] or 0
        self.event_id = Event.objects.aggregate(m=Max("id"))["m"] or 0
        self.event_base = self.event_id
        born = self.anchor - (HISTORY_DAYS + 30) * DAY
        org_domains: list[str] = []
        org_rows = []
        used_orgs: set[str] = set()
        for index in range(n_orgs):
            first = c.ORG_FIRST[index % len(c.ORG_FIRST)]
            second = c.ORG_SECOND[(index // len(c.ORG_FIRST)) % len(c.ORG_SECOND)]
            name = f"{first} {second}"
            round_ = index // (len(c.ORG_FIRST) * len(c.ORG_SECOND))
            if round_:
                name = f"{name} {round_ + 1}"
            suffix = c.ORG_SUFFIX[index % len(c.ORG_SUFFIX)]
            slug = name.lower().replace(" ", "-")
            domain = f"{slug}.example"
            used_orgs.add(domain)
            org_domains.append(domain)
            created = fmt(born - rng.randrange(700 * DAY))
            notes = "Key account; quarterly review with their office manager." if index % 17 == 0 else ""
            org_rows.append(
                (self.org_base + index + 1, f"{name} {suffix}".strip(), domain, notes, created, created)
            )
        with transaction.atomic():
            self.t_org.insert(org_rows)
        self.report.organisations = n_orgs

        # Per-customer facts the conversation generator needs, kept as parallel lists.
        self.c_greeting: list[str] = []
        self.c_first: list[str] = []
        self.c_domain: list[str] = []
        self.c_email: list[str] = []
        used_emails: set[str] = set()
        identity_id = identity_base
        channels = ("", "", "email", "email", "phone", "portal")
        for start in range(0, n_customers, self.batch_size):
            customer_rows, identity_rows = [], []
            for index in range(start, min(start + self.batch_size, n_customers)):
                first = rng.choice(c.FIRST_NAMES)
                last = rng.choice(c.LAST_NAMES)
                name = f"{first} {last}"
                preferred = c.PREFERRED_NAMES.get(first, "") if rng.random() < 0.6 else ""
                if not preferred and rng.random() < 0.04:
                    preferred = first[:3] if len(first) > 4 else ""
                pronunciation = c.PRONUNCIATIONS.get(first, "")
                if rng.random() < 0.7:
                    org_index = rng.randrange(n_orgs)
                    org_id: int | None = self.org_base + org_index + 1
                    domain = org_domains[org_index]
                else:
                    org_id = None
                    domain = c.PRIVATE_DOMAINS[index % len(c.PRIVATE_DOMAINS)]
                local = f"{first}.{last}".lower().replace("-", "")
                email = f"{local}@{domain}"
                if email in used_emails:
                    email = f"{local}{index}@{domain}"
                used_emails.add(email)
                created_at = born - rng.randrange(700 * DAY)
                created_text = fmt(created_at)
                customer_id = self.customer_base + index + 1
                notes = rng.choice(c.CUSTOMER_NOTES) if rng.random() < 0.05 else ""
                customer_rows.append(
                    (
                        customer_id,
                        name,
                        preferred,
                        pronunciation,
                        org_id,
                        rng.choice(c.LANGUAGES),
                        rng.choice(c.TIME_ZONES),
                        rng.choice(channels),
                        False,
                        notes,
                        None,
                        created_text,
                        created_text,
                    )
                )
                identity_id += 1
                identity_rows.append((identity_id, customer_id, "email", email, True, None, created_text))
                if rng.random() < 0.3:
                    identity_id += 1
                    identity_rows.append(
                        (identity_id, customer_id, "phone", f"+1555{index:07d}", False, None, created_text)
                    )
                self.c_greeting.append(preferred or first)
                self.c_first.append(first)
                self.c_domain.append(domain)
                self.c_email.append(email)
            with transaction.atomic():
                self.t_customer.insert(customer_rows)
                self.t_identity.insert(identity_rows)
                self.t_event.insert(
                    (
                        self._event_id(),
                        "customer.created",
                        None,
                        row[0],
                        None,
                        "customers.customer",
                        str(row[0]),
                        None,
                        None,
                        row[11],
                    )
                    for row in customer_rows
                )
        self.report.customers = n_customers
        del used_emails

    def _event_id(self) -> int:
        self.event_id += 1
        return self.event_id

    # --- conversations -----------------------------------------------------------

    def conversations(self) -> None:
        total = self.total
        self.conv_base = Conversation.objects.aggregate(m=Max("id"))["m"] or 0
        self.message_id = Message.objects.aggregate(m=Max("id"))["m"] or 0
        current = Counter.objects.filter(name="conversation").values_list("value", flat=True).first() or 0
        number_base = max(current, Conversation.objects.aggregate(m=Max("number"))["m"] or 0)
        self.number_base = number_base
        self.long_index = max(0, total - 1 - total // 200)
        self.product_names = [name for name, _ in c.PRODUCTS]
        self.product_weights = list(accumulate(weight for _, weight in c.PRODUCTS))
        batches = self._batches()
        if self.parallel:
            batches = _from_child_process(batches)
        reported = 0
        for conv_rows, message_rows, event_rows, tag_rows, state in batches:
            with transaction.atomic():
                self.t_conv.insert(conv_rows)
                self.t_message.insert(message_rows)
                self.t_event.insert(event_rows)
                self.t_tags.insert(tag_rows)
            self.event_id = state["event_id"]
            self.report.long_conversation = state["long_conversation"] or self.report.long_conversation
            self.report.conversations += len(conv_rows)
            self.report.messages += len(message_rows)
            if self.report.conversations - reported >= 100_000 or self.report.conversations == total:
                reported = self.report.conversations
                self.say(
                    f"  {reported:,} conversations, {self.report.messages:,} messages "
                    f"({time.process_time():.0f} s CPU so far)"
                )

    def _batches(self) -> Iterator[Batch]:
        """Rows for `batch_size` conversations at a time. Pure Python: no database access."""
        total = self.total
        n_customers = len(self.c_first)
        span = HISTORY_DAYS * DAY
        for start in range(0, total, self.batch_size):
            conv_rows: list[tuple] = []
            message_rows: list[tuple] = []
            event_rows: list[tuple] = []
            tag_rows: list[tuple] = []
            for index in range(start, min(start + self.batch_size, total)):
                opened = (
                    self.anchor - span + (index * span) // total + self.rng.randrange(max(1, span // total))
                )
                # Returning customers: a skewed pick so some customers have many conversations.
                customer_index = int(n_customers * (self.rng.random() ** 1.5))
                self._conversation(
                    index, opened, customer_index, conv_rows, message_rows, event_rows, tag_rows
                )
            state = {"event_id": self.event_id, "long_conversation": self.report.long_conversation}
            yield conv_rows, message_rows, event_rows, tag_rows, state

    def _conversation(
        self,
        index: int,
        opened: int,
        customer_index: int,
        conv_rows: list[tuple],
        message_rows: list[tuple],
        event_rows: list[tuple],
        tag_rows: list[tuple],
    ) -> None:
        rng, fmt, anchor = self.rng, self.fmt, self.anchor
        conv_id = self.conv_base + index + 1
        number = self.number_base + index + 1
        customer_id = self.customer_base + customer_index + 1
        long_thread = index == self.long_index or (index % 25_000 == 12_345)
        need_id, parent, leaf = self.needs[0] if long_thread else rng.choice(self.needs)
        entry = self._taxonomy_entry(parent, leaf)
        _p, _l, _k, subjects, openings, answers, followups = entry
        mood = rng.choice(c.MOODS)
        if parent == "Complaint":
            mood = rng.choice(("frustrated", "angry", "angry"))
        elif parent == "Feedback" and leaf == "Praise":
            mood = "delighted"
        team_id = self.team_of_parent.get(parent, self.support_id)
        roll = rng.random()
        channel = (
            "email"
            if roll < 0.55
            else "portal"
            if roll < 0.68
            else "webform"
            if roll < 0.8
            else "phone"
            if roll < 0.94
            else "walk_in"
        )
        if long_thread:
            channel, team_id, mood = "email", self.support_id, "frustrated"
        age_days = (anchor - opened) / DAY
        status = self._status(age_days, rng.random())
        if long_thread:
            status = "open"
        replier_weights = self.replier_weights[team_id]
        assignee = rng.weighted(self.repliers[team_id], replier_weights)
        if index == self.long_index:
            assignee = self.demo_agent
        greeting_name = self.c_greeting[customer_index]
        ctx = {
            "order": f"GW-{100000 + (number * 7919) % 900000}",
            "product": rng.weighted(self.product_names, self.product_weights),
            "amount": f"${rng.randrange(8, 400)}.{rng.choice(('00', '50', '99', '95', '20'))}",
            "invoice": f"INV-{(fmt(opened) or '')[:4]}-{number % 100000:05d}",
            "plan": rng.choice(c.PLANS),
            "days": rng.randrange(3, 21),
            "weekday": rng.choice(c.WEEKDAYS),
            "name": greeting_name,
            "agent": assignee[1].split()[0],
        }
        subject = rng.choice(subjects).format(**ctx)
        priority = 2
        if mood == "angry":
            priority = 4 if rng.random() < 0.25 else 3
        elif mood == "frustrated" and rng.random() < 0.35:
            priority = 3
        else:
            roll = rng.random()
            priority = 1 if roll < 0.1 else 3 if roll > 0.95 else 2

        # Shape of the thread: how many public messages, and who spoke last.
        if status == "new":
            public = 1 if rng.random() < 0.85 else 2
            last_inbound = True
        else:
            if long_thread:
                public = LONG_THREAD - 7  # odd: the customer wrote last and is waiting
            elif channel in ("phone", "walk_in"):
                public = rng.choice((1, 2, 2, 3))
            else:
                roll = rng.random()
                public = (
                    2
                    if roll < 0.3
                    else 3
                    if roll < 0.55
                    else 4
                    if roll < 0.72
                    else 5
                    if roll < 0.82
                    else rng.randrange(6, 9)
                    if roll < 0.95
                    else rng.randrange(9, 15)
                )
            if long_thread:
                last_inbound = True
            elif status == "open":
                last_inbound = rng.random() < 0.7
            elif status in ("solved", "closed"):
                last_inbound = rng.random() < 0.2
            else:
                last_inbound = False
            public = max(public, 2)
            if (public % 2 == 1) != last_inbound:
                public += 1
            if channel in ("phone", "walk_in") and public == 1:
                last_inbound = True
        notes = 7 if long_thread else (1 if rng.random() < 0.2 else 0) + (1 if rng.random() < 0.05 else 0)
        if status == "on_hold" and not notes:
            notes = 1

        # Times: agents answer in hours, customers in hours to days; squeezed to end before the anchor.
        if status == "new":
            inbound_flags = [True] * public
        else:
            inbound_flags = [position % 2 == 0 for position in range(public)]
        times = [opened]
        for position in range(1, public):
            gap = rng.expovariate(1 / 72000) if inbound_flags[position] else rng.expovariate(1 / 10800)
            times.append(times[-1] + 120 + int(min(gap, 3 * DAY)))
        limit = anchor - 60
        if times[-1] > limit:
            room = int(max(limit - opened, public) * rng.uniform(0.2, 1.0))
            used = max(times[-1] - opened, 1)
            times = [opened + (t - opened) * room // used for t in times]

        logger = assignee if channel in ("phone", "walk_in") else None
        customer_email_domain = self.c_domain[customer_index]
        first_name = self.c_first[customer_index]
        first_response = None
        last_inbound_at = opened
        waiting_since: int | None = None
        rows: list[
            tuple
        ] = []  # (time, direction, kind, author_agent, text, new_text, msg channel, message_id)
        last_outbound_text = ""
        for position, at in enumerate(times):
            if inbound_flags[position]:
                last_inbound_at = at
                if waiting_since is None:
                    waiting_since = at
                if position == 0:
                    body = rng.choice(openings).format(**ctx)
                    opener = rng.choice(c.MOOD_OPENERS[mood])
                    closer = rng.choice(c.MOOD_CLOSERS[mood])
                    if channel == "phone":
                        kind = "phone"
                        text = rng.choice(c.PHONE_LOGS).format(body=f'"{opener}{body}"', **ctx)
                    elif channel == "walk_in":
                        kind = "walk_in"
                        text = rng.choice(c.WALK_IN_LOGS).format(body=f'"{opener}{body}"', **ctx)
                    else:
                        kind = "reply"
                        text = f"Hello,\n\n{opener}{body}\n\n{closer}\n{first_name}"
                    new_text = text
                else:
                    said = rng.choice(followups).format(**ctx)
                    if long_thread or rng.random() < 0.15:
                        said = rng.choice(
                            (
                                "Any update on this?",
                                "Is there any news?",
                                "Hello? Anyone?",
                                "I'm still waiting for an answer.",
                                "Thanks, one more question.",
                            )
                        )
                    if mood == "angry" and rng.random() < 0.4:
                        said = said.upper() + "!!!"
                    if channel in ("phone", "walk_in"):
                        kind = channel
                        text = new_text = (
                            f'Customer {"called again" if channel == "phone" else "came back"}: "{said}"'
                        )
                    else:
                        kind = "reply"
                        new_text = f"{said}\n\n{first_name}"
                        if last_outbound_text and rng.random() < 0.45:
                            quoted = "\n".join("> " + line for line in last_outbound_text.splitlines()[:4])
                            when = fmt(times[position - 1])
                            text = f"{new_text}\n\nOn {when}, {ctx['agent']} wrote:\n{quoted}"
                        else:
                            text = new_text
                msg_channel = "email" if channel == "webform" and position else channel
                message_id = (
                    f"<{number}.{position}@{customer_email_domain}>" if msg_channel == "email" else ""
                )
                rows.append(
                    (
                        at,
                        "in",
                        kind,
                        logger[0] if logger else None,
                        text,
                        new_text,
                        msg_channel,
                        message_id,
                        "",
                    )
                )
            else:
                waiting_since = None
                if first_response is None:
                    first_response = at
                greeting = rng.choice(c.GREETINGS).format(**ctx)
                empathy = rng.choice(c.AGENT_EMPATHY[mood]) if position == 1 else ""
                answer = (
                    rng.choice(answers).format(**ctx)
                    if position < 4 or rng.random() < 0.5
                    else (
                        "Just a quick update: I'm still on this and will write again as soon as I hear back."
                    )
                )
                text = f"{greeting}\n\n{empathy}{answer}\n\n{rng.choice(c.AGENT_SIGNOFFS).format(**ctx)}"
                last_outbound_text = text
                delivery = "sent" if channel in ("email", "webform", "portal") else ""
                message_id = f"<gw.{number}.{position}@goodwill.example>" if delivery else ""
                rows.append((at, "out", "reply", assignee[0], text, text, channel, message_id, delivery))
        for _ in range(notes):
            after = rng.randrange(len(times))
            at = times[after] + 30 + rng.randrange(600)
            if at > limit:
                at = limit
            author = self.light if (team_id == self.support_id and rng.random() < 0.3) else assignee
            text = rng.choice(c.NOTES).format(**{**ctx, "agent": author[1].split()[0]})
            rows.append((at, "internal", "note", author[0], text, text, channel, "", ""))
        rows.sort(key=lambda row: row[0])

        public_last = times[-1]
        solved_at = closed_at = None
        if status in ("solved", "closed"):
            waiting_since = None
            solved_at = min(public_last + 600 + rng.randrange(7200), limit)
            if status == "closed":
                closed_at = min(solved_at + 4 * DAY, limit)
        elif status in ("pending", "on_hold"):
            waiting_since = None
        assignee_id: int | None = assignee[0]
        if status == "new" and rng.random() < 0.7:
            assignee_id = None
        need_met = ""
        if status in ("solved", "closed"):
            roll = rng.random()
            need_met = "yes" if roll < 0.72 else "partly" if roll < 0.87 else "no"
        need_value: int | None = need_id
        if status == "new" and rng.random() < 0.4:
            need_value = None
        fields: dict[str, object] = {}
        if parent in ("Orders", "Complaint") or leaf in ("Refund", "Double charge"):
            fields["order_number"] = ctx["order"]
        if parent in ("Billing", "Account"):
            fields["plan"] = ctx["plan"]
        if channel == "phone":
            fields["callback_requested"] = rng.random() < 0.3
        updated = max(rows[-1][0], closed_at or solved_at or 0)

        customer_text = fmt(opened)
        conv_rows.append(
            (
                conv_id,
                number,
                subject,
                status,
                priority,
                channel,
                customer_id,
                assignee_id,
                team_id,
                json.dumps(fields),
                need_value,
                need_met,
                None,
                len(rows),
                fmt(public_last),
                fmt(last_inbound_at),
                fmt(first_response),
                fmt(waiting_since),
                fmt(solved_at),
                fmt(closed_at),
                customer_text,
                fmt(updated),
            )
        )
        event_rows.append(
            (
                self._event_id(),
                "conversation.opened",
                logger[0] if logger else None,
                customer_id,
                conv_id,
                "conversations.conversation",
                str(conv_id),
                None,
                f'{{"channel": "{channel}", "subject": {json_string(subject)}}}',
                customer_text,
            )
        )
        for at, direction, kind, author, text, new_text, msg_channel, message_id, delivery in rows:
            self.message_id += 1
            created = fmt(at)
            message_rows.append(
                (
                    self.message_id,
                    conv_id,
                    direction,
                    kind,
                    msg_channel,
                    author,
                    customer_id if direction == "in" else None,
                    text,
                    new_text,
                    "",
                    message_id,
                    "",
                    delivery,
                    "",
                    created,
                )
            )
        if assignee_id is not None:
            event_rows.append(
                (
                    self._event_id(),
                    "conversation.assigned",
                    None if logger is None else logger[0],
                    customer_id,
                    conv_id,
                    "",
                    "",
                    '{"assignee": null}',
                    f'{{"assignee": {assignee_id}, "name": "{assignee[1]}"}}',
                    fmt(times[0] + 60),
                )
            )
        if solved_at is not None:
            event_rows.append(
                (
                    self._event_id(),
                    "conversation.status",
                    assignee_id,
                    customer_id,
                    conv_id,
                    "",
                    "",
                    '{"status": "open"}',
                    '{"status": "solved"}',
                    fmt(solved_at),
                )
            )
            event_rows.append(
                (
                    self._event_id(),
                    "conversation.need_met",
                    assignee_id,
                    customer_id,
                    conv_id,
                    "",
                    "",
                    '{"need_met": ""}',
                    f'{{"need_met": "{need_met}"}}',
                    fmt(solved_at),
                )
            )
        if closed_at is not None:
            event_rows.append(
                (
                    self._event_id(),
                    "conversation.status",
                    None,
                    customer_id,
                    conv_id,
                    "",
                    "",
                    '{"status": "solved"}',
                    '{"status": "closed"}',
                    fmt(closed_at),
                )
            )
        if rng.random() < 0.35:
            for tag_id in sorted(set(rng.sample(self.tags, 1 if rng.random() < 0.7 else 2))):
                tag_rows.append((conv_id, tag_id))
        if index == self.long_index:
            self.report.long_conversation = number

    def _taxonomy_entry(self, parent: str, leaf: str) -> tuple:
        cache = self.__dict__.setdefault("_entries", {})
        key = (parent, leaf)
        if key not in cache:
            cache[key] = next(entry for entry in c.TAXONOMY if entry[0] == parent and entry[1] == leaf)
        return cache[key]

    @staticmethod
    def _status(age_days: float, roll: float) -> str:
        table: tuple[tuple[str, float], ...]
        if age_days > 14:
            table = (("closed", 0.55), ("solved", 0.95), ("pending", 0.97), ("on_hold", 0.98), ("open", 1.0))
        elif age_days > 3:
            table = (
                ("solved", 0.45),
                ("closed", 0.55),
                ("pending", 0.7),
                ("open", 0.86),
                ("on_hold", 0.92),
                ("new", 1.0),
            )
        else:
            table = (("new", 0.3), ("open", 0.62), ("pending", 0.78), ("on_hold", 0.84), ("solved", 1.0))
        for status, upto in table:
            if roll < upto:
                return status
        return table[-1][0]

    # --- after the bulk inserts ---------------------------------------------------

    def finish(self) -> None:
        customer = connection.ops.quote_name(Customer._meta.db_table)
        conversation = connection.ops.quote_name(Conversation._meta.db_table)
        base = self.customer_base
        with transaction.atomic():
            with connection.cursor() as cursor:
                # One statement instead of a Python dict of every customer's latest contact.
                sql = (
                    f"UPDATE {customer} SET last_contact_at = (SELECT MAX(cv.last_inbound_at) FROM "  # noqa: S608
                    f"{conversation} cv WHERE cv.customer_id = {customer}.id) WHERE {customer}.id > %s"
                )
                cursor.execute(sql, [base])
            raise_counter_to("conversation", self.number_base + self.total)
            Counter.objects.update_or_create(name=MARKER, defaults={"value": self.total})
            reset_sequences(connection, [Organisation, Customer, Identity, Conversation, Message, Event])
        self.report.events = self.event_id - self.event_base
        if self.total <= ATTACHMENTS_UP_TO:
            self.attach_samples()

    def attach_samples(self) -> None:
        """A few small files for the demo: photos of damaged items, invoice copies."""
        picked: list[tuple[Message, str, str, bytes]] = []
        seen: set[int] = set()
        damaged = Message.objects.filter(conversation__need__name="Damaged item", direction="in")
        for message in damaged.select_related("conversation").order_by("conversation_id", "id"):
            if message.conversation_id in seen:
                continue
            seen.add(message.conversation_id)
            number = message.conversation.number
            picked.append((message, f"photo-{number}.png", "image/png", _sample_png(number)))
            if len(seen) >= 8:
                break
        invoices = Message.objects.filter(conversation__need__name="Invoice copy", direction="out")
        for message in invoices.select_related("conversation").order_by("conversation_id", "id")[:6]:
            number = message.conversation.number
            body = f"Invoice INV-{number:05d}\nGoodwill Demo Shop\nConversation #{number}\nTotal: $49.00\n"
            picked.append((message, f"invoice-{number}.txt", "text/plain", body.encode()))
        with transaction.atomic():
            for message, filename, content_type, content in picked:
                attachment = Attachment(
                    message=message,
                    filename=filename,
                    content_type=content_type,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                )
                attachment.file.save(filename, ContentFile(content), save=False)
                attachment.save()
                Attachment.objects.filter(pk=attachment.pk).update(created_at=message.created_at)


def _sample_png(number: int) -> bytes:
    """A small, valid PNG: a colour gradient that differs per conversation."""
    width, height = 64, 48
    red, green = (number * 37) % 256, (number * 91) % 256
    rows = b"".join(
        b"\x00"
        + bytes(channel for x in range(width) for channel in (red, (green + x * 3) % 256, (y * 5) % 256))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
