"""The demo's customers: organisations, customers, their identities (emails, phones) and
their `customer.created` events, bulk-loaded one batch per transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from goodwill.customers.models import Customer, Identity, Organisation
from goodwill.demo import content as c
from goodwill.demo.basics import DAY, HISTORY_DAYS, Dice
from goodwill.demo.bulk import BulkTables, max_id
from goodwill.demo.timeline import EventIds, customers_created
from goodwill.demo.writer import TimeFormat

_PREFERRED_CHANNELS = ("", "", "email", "email", "phone", "portal")


@dataclass
class Customers:
    """What the conversation rows need to know of each customer, as parallel lists by index.

    Customer `index` has the id `base + index + 1`.
    """

    base: int
    organisations: int = 0
    greeting: list[str] = field(default_factory=list)  # preferred name, else first name
    first: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)  # of their email address

    def __len__(self) -> int:
        return len(self.first)


def customer_count_for(conversations: int) -> int:
    """300 customers for a demo; about ten conversations per customer at scale."""
    return max(300, conversations // 10)


def load_people(
    *,
    rng: Dice,
    fmt: TimeFormat,
    tables: BulkTables,
    events: EventIds,
    anchor: int,
    conversations: int,
    batch_size: int,
) -> Customers:
    """Insert the organisations, then the customers in batches; `anchor` in epoch seconds."""
    n_customers = customer_count_for(conversations)
    n_orgs = max(40, n_customers * 2 // 15)
    org_base = max_id(Organisation)
    customers = Customers(base=max_id(Customer), organisations=n_orgs)
    identity_base = max_id(Identity)
    born = anchor - (HISTORY_DAYS + 30) * DAY
    org_rows = _organisation_rows(rng, fmt, org_base, n_orgs, born)
    with transaction.atomic():
        tables.organisations.insert(org_rows)
    make = _CustomerMaker(rng, fmt, customers, org_rows, identity_base, born)
    for start in range(0, n_customers, batch_size):
        customer_rows, identity_rows = make.batch(range(start, min(start + batch_size, n_customers)))
        with transaction.atomic():
            tables.customers.insert(customer_rows)
            tables.identities.insert(identity_rows)
            tables.events.insert(customers_created(events, customer_rows))
    return customers


def _organisation_rows(rng: Dice, fmt: TimeFormat, base: int, count: int, born: int) -> list[tuple[Any, ...]]:
    """`bulk.ORGANISATION_COLUMNS` rows; the domain (third column) is `<name>.example`."""
    rows = []
    for index in range(count):
        first = c.ORG_FIRST[index % len(c.ORG_FIRST)]
        second = c.ORG_SECOND[(index // len(c.ORG_FIRST)) % len(c.ORG_SECOND)]
        name = f"{first} {second}"
        round_ = index // (len(c.ORG_FIRST) * len(c.ORG_SECOND))
        if round_:
            name = f"{name} {round_ + 1}"
        suffix = c.ORG_SUFFIX[index % len(c.ORG_SUFFIX)]
        domain = f"{name.lower().replace(' ', '-')}.example"
        created = fmt(born - rng.randrange(700 * DAY))
        notes = "Key account; quarterly review with their office manager." if index % 17 == 0 else ""
        rows.append((base + index + 1, f"{name} {suffix}".strip(), domain, notes, created, created))
    return rows


class _CustomerMaker:
    """Customer and identity rows, one batch at a time; records each customer's facts in `customers`."""

    def __init__(
        self,
        rng: Dice,
        fmt: TimeFormat,
        customers: Customers,
        org_rows: list[tuple[Any, ...]],
        identity_base: int,
        born: int,
    ) -> None:
        self.rng = rng
        self.fmt = fmt
        self.customers = customers
        self.org_ids = [row[0] for row in org_rows]
        self.org_domains = [row[2] for row in org_rows]
        self.identity_id = identity_base
        self.born = born
        self.used_emails: set[str] = set()

    def batch(self, indexes: range) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        customer_rows: list[tuple[Any, ...]] = []
        identity_rows: list[tuple[Any, ...]] = []
        for index in indexes:
            self._customer(index, customer_rows.append, identity_rows.append)
        return customer_rows, identity_rows

    def _customer(
        self,
        index: int,
        add_customer: Callable[[tuple[Any, ...]], None],
        add_identity: Callable[[tuple[Any, ...]], None],
    ) -> None:
        rng, customers = self.rng, self.customers
        first = rng.choice(c.FIRST_NAMES)
        last = rng.choice(c.LAST_NAMES)
        preferred = c.PREFERRED_NAMES.get(first, "") if rng.random() < 0.6 else ""
        if not preferred and rng.random() < 0.04:
            preferred = first[:3] if len(first) > 4 else ""
        org_id: int | None
        if rng.random() < 0.7:
            org_index = rng.randrange(len(self.org_ids))
            org_id, domain = self.org_ids[org_index], self.org_domains[org_index]
        else:
            org_id, domain = None, c.PRIVATE_DOMAINS[index % len(c.PRIVATE_DOMAINS)]
        local = f"{first}.{last}".lower().replace("-", "")
        email = f"{local}@{domain}"
        if email in self.used_emails:
            email = f"{local}{index}@{domain}"
        self.used_emails.add(email)
        created = self.fmt(self.born - rng.randrange(700 * DAY))
        customer_id = customers.base + index + 1
        notes = rng.choice(c.CUSTOMER_NOTES) if rng.random() < 0.05 else ""
        language = rng.choice(c.LANGUAGES)
        time_zone = rng.choice(c.TIME_ZONES)
        channel = rng.choice(_PREFERRED_CHANNELS)
        add_customer(
            (
                customer_id,
                f"{first} {last}",
                preferred,
                c.PRONUNCIATIONS.get(first, ""),
                org_id,
                language,
                time_zone,
                channel,
                False,
                notes,
                None,
                created,
                created,
            )
        )
        self.identity_id += 1
        add_identity((self.identity_id, customer_id, "email", email, True, None, created))
        if rng.random() < 0.3:
            self.identity_id += 1
            add_identity((self.identity_id, customer_id, "phone", f"+1555{index:07d}", False, None, created))
        customers.greeting.append(preferred or first)
        customers.first.append(first)
        customers.domain.append(domain)
