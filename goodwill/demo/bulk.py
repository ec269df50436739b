"""The bulk load of the demo's big tables, and how the database is tuned while it runs.

Rows are plain tuples in the column order below, written with `executemany` on SQLite and
`COPY` on PostgreSQL (`writer.py`), one transaction per batch. On an empty database the
secondary indexes (and, on PostgreSQL, the foreign keys) are dropped for the load and
built once afterwards, and search indexing waits until the end. For big data sets a
forked process generates the rows while this one inserts them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Max, Model

from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Counter, Event
from goodwill.core.services import raise_counter_to
from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.demo.basics import MARKER
from goodwill.demo.writer import Table, postgresql_load_prepared, reset_sequences, sqlite_indexes_deferred

ORGANISATION_COLUMNS = ["id", "name", "domains", "notes", "created_at", "updated_at"]
CUSTOMER_COLUMNS = [
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
]
IDENTITY_COLUMNS = ["id", "customer_id", "kind", "value", "is_primary", "failing_since", "created_at"]
CONVERSATION_COLUMNS = [
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
]
MESSAGE_COLUMNS = [
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
]
EVENT_COLUMNS = [
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
]
TAG_COLUMNS = ["conversation_id", "tag_id"]

# The tables written in bulk; the rest go through the normal services.
BULK_MODELS: list[type[Model]] = [
    Organisation,
    Customer,
    Identity,
    Conversation,
    Conversation.tags.through,
    Message,
    Event,
]


class Batch(NamedTuple):
    """The rows of `batch_size` conversations, and the generator's counters after them."""

    conversations: list[tuple[Any, ...]]
    messages: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    tags: list[tuple[Any, ...]]
    state: dict[str, int]  # "event_id": the last event id used; "long_conversation": its number, or 0


@dataclass(frozen=True)
class BulkTables:
    organisations: Table
    customers: Table
    identities: Table
    conversations: Table
    messages: Table
    events: Table
    tags: Table

    @classmethod
    def create(cls, *, now_text: str) -> BulkTables:
        """`now_text` fills the columns the generator leaves to `auto_now`."""

        def table(model: type[Model], columns: list[str]) -> Table:
            return Table(connection, model, columns, now_text=now_text)

        return cls(
            organisations=table(Organisation, ORGANISATION_COLUMNS),
            customers=table(Customer, CUSTOMER_COLUMNS),
            identities=table(Identity, IDENTITY_COLUMNS),
            conversations=table(Conversation, CONVERSATION_COLUMNS),
            messages=table(Message, MESSAGE_COLUMNS),
            events=table(Event, EVENT_COLUMNS),
            tags=table(Conversation.tags.through, TAG_COLUMNS),
        )

    def insert(self, batch: Batch) -> None:
        with transaction.atomic():
            self.conversations.insert(batch.conversations)
            self.messages.insert(batch.messages)
            self.events.insert(batch.events)
            self.tags.insert(batch.tags)


def max_id(model: type[Model]) -> int:
    """The highest id in the table, 0 when empty: bulk rows are numbered after it."""
    return model._default_manager.aggregate(m=Max("id"))["m"] or 0


@contextmanager
def tuned_for_loading() -> Iterator[None]:
    """SQLite without fsync for this connection while seeding; planner statistics once it is done.

    A crash loses the half-made demo, nothing else. PRAGMA synchronous cannot change inside
    a transaction (e.g. a test's), so then nothing changes.
    """
    connection.ensure_connection()
    fast = connection.vendor == "sqlite" and not connection.in_atomic_block
    if fast:
        connection.connection.execute("PRAGMA synchronous=OFF")
        connection.connection.execute("PRAGMA cache_size=-262144")
    try:
        yield
        if fast:
            # Sampled, so this stays quick on a million rows.
            connection.connection.execute("PRAGMA analysis_limit=1000")
            connection.connection.execute("ANALYZE")
    finally:
        if fast:
            connection.connection.execute("PRAGMA synchronous=NORMAL")
            connection.connection.execute("PRAGMA cache_size=-64000")


@contextmanager
def search_paused() -> Iterator[None]:
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


@contextmanager
def indexes_deferred(fresh: bool) -> Iterator[None]:
    """On empty tables (`fresh`), drop the secondary indexes and foreign keys and rebuild them after."""
    if not fresh:
        yield
        return
    with sqlite_indexes_deferred(connection, BULK_MODELS), postgresql_load_prepared(connection, BULK_MODELS):
        yield


def finish_load(*, customer_base: int, last_number: int, conversations: int) -> None:
    """Last contact times, the conversation counter, the seed marker and the id sequences."""
    customer = connection.ops.quote_name(Customer._meta.db_table)
    conversation = connection.ops.quote_name(Conversation._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One statement instead of a Python dict of every customer's latest contact.
            sql = (
                f"UPDATE {customer} SET last_contact_at = (SELECT MAX(cv.last_inbound_at) FROM "  # noqa: S608
                f"{conversation} cv WHERE cv.customer_id = {customer}.id) WHERE {customer}.id > %s"
            )
            cursor.execute(sql, [customer_base])
        raise_counter_to("conversation", last_number)
        Counter.objects.update_or_create(name=MARKER, defaults={"value": conversations})
        reset_sequences(connection, [Organisation, Customer, Identity, Conversation, Message, Event])


def vacuum_and_analyze() -> None:
    """PostgreSQL: planner statistics for every table, and (outside a transaction) a VACUUM.

    Without statistics the planner guesses row counts and may sort a million rows for
    one inbox page. VACUUM marks the freshly loaded pages all-visible, so index-only
    scans really skip the table, and the first page views do not write hint bits.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def from_child_process(batches: Iterator[Batch]) -> Iterator[Batch]:
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
