"""Possible duplicate customers, each with the reason it is suggested.

Two records look like one person when they share an email address (compared without case,
"+tags" and, for Gmail, dots), a phone number (compared by its last nine digits, so
"+44 20 7946 0018" and "020 7946 0018" match), or a similar name (accents, case, order and a
first name shortened to its initial ignored) in the same organisation.

Each customer's normalised handles are kept in `MatchKey`, so a suggestion is one indexed
lookup. They are refreshed when customers merge and by the periodic job `memory.match-keys`
(`refresh_changed_keys`, every 5 minutes): identities added and customer records changed since
its last run. Not through the event seam: a `customer.created` subscriber would leave work
pending in every test that creates a customer inside its transaction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Q

from goodwill.customers.models import Customer, Identity
from goodwill.memory.models import MatchKey, SweepMark

GMAIL = {"gmail.com", "googlemail.com"}
PHONE_DIGITS = 9
SUGGESTIONS = 10
SWEEP_BATCH = 2000


def canonical_email(address: str) -> str:
    local, _, domain = address.strip().lower().rpartition("@")
    if not local:
        return address.strip().lower()
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def phone_key(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= 6 else ""


def name_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else " " for ch in plain).split()


def name_keys(name: str, organisation_id: int | None) -> list[str]:
    """Keys under which two names in one organisation count as similar."""
    words = name_words(name)
    if organisation_id is None or len(words) < 2:
        return []
    first, last = words[0], words[-1]
    return [f"{organisation_id}:{' '.join(sorted(words))}", f"{organisation_id}:{first[0]} {last}"]


def keys_for(customer: Customer, identities: Iterable[Identity]) -> list[MatchKey]:
    keys = []
    for identity in identities:
        if identity.kind == Identity.Kind.EMAIL:
            kind, key = MatchKey.Kind.EMAIL, canonical_email(identity.value)
        else:
            kind, key = MatchKey.Kind.PHONE, phone_key(identity.value)
        if key:
            keys.append(MatchKey(customer=customer, kind=kind, key=key, shown=identity.value))
    for key in dict.fromkeys(name_keys(customer.name, customer.organisation_id)):
        keys.append(MatchKey(customer=customer, kind=MatchKey.Kind.NAME, key=key, shown=customer.name))
    return keys


def refresh_keys(customer_ids: Iterable[int]) -> int:
    """Recompute the match keys of these customers; returns how many keys they now have."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    customers = Customer.objects.filter(pk__in=ids).prefetch_related("identities")
    keys = [key for customer in customers for key in keys_for(customer, customer.identities.all())]
    with transaction.atomic():
        MatchKey.objects.filter(customer_id__in=ids).delete()
        MatchKey.objects.bulk_create(keys, batch_size=1000)
    return len(keys)


@dataclass
class Suggestion:
    customer: Customer
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def possible_duplicates(customer: Customer) -> list[Suggestion]:
    """Other customers who may be the same person, each with why. One query (identities prefetched)."""
    own = keys_for(customer, customer.identities.all())
    if not own:
        return []
    match = Q()
    for key in own:
        match |= Q(kind=key.kind, key=key.key)
    found: dict[int, Suggestion] = {}
    rows = (
        MatchKey.objects.filter(match)
        .exclude(customer=customer)
        .select_related("customer", "customer__organisation")
        .order_by("customer_id", "kind")[: SUGGESTIONS * 4]
    )
    mine = {(key.kind, key.key): key.shown for key in own}
    for row in rows:
        suggestion = found.setdefault(row.customer_id, Suggestion(customer=row.customer))
        if row.kind == MatchKey.Kind.NAME:
            organisation = row.customer.organisation
            reason = f"Similar name in {organisation}: {row.shown} / {mine[(row.kind, row.key)]}"
        else:
            reason = f"{row.get_kind_display()}: {row.shown}"
            if row.shown != mine[(row.kind, row.key)]:
                reason += f" / {mine[(row.kind, row.key)]}"
        if reason not in suggestion.reasons:
            suggestion.reasons.append(reason)
    return list(found.values())[:SUGGESTIONS]


def _mark(name: str) -> SweepMark:
    return SweepMark.objects.get_or_create(name=name)[0]


def refresh_changed_keys(now: datetime) -> str | None:
    """Periodic sweep: customers with identities added, or records changed, since the last run."""
    identity_mark, customer_mark = _mark("identities"), _mark("customers")
    new_identities = list(
        Identity.objects.filter(pk__gt=identity_mark.value)
        .order_by("pk")
        .values_list("pk", "customer_id")[:SWEEP_BATCH]
    )
    changed = Customer.objects.order_by("updated_at", "pk")
    if customer_mark.at is not None:
        changed = changed.filter(updated_at__gt=customer_mark.at)
    changed_rows = list(changed.values_list("pk", "updated_at")[:SWEEP_BATCH])
    ids = {customer for _pk, customer in new_identities} | {pk for pk, _at in changed_rows}
    count = refresh_keys(ids)
    if new_identities:
        identity_mark.value = new_identities[-1][0]
        identity_mark.save(update_fields=["value"])
    if changed_rows:
        customer_mark.at = changed_rows[-1][1]
        customer_mark.save(update_fields=["at"])
    return f"{len(ids)} customers, {count} match keys" if ids else None


def build_all_keys(batch: int = 5000) -> int:
    """Every customer's keys from scratch (the demo seeder, or after an import), in batches."""
    MatchKey.objects.all().delete()
    total, last = 0, 0
    while True:
        ids = list(Customer.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            break
        total += refresh_keys(ids)
        last = ids[-1]
    SweepMark.objects.update_or_create(
        name="identities", defaults={"value": Identity.objects.aggregate(m=Max("pk"))["m"] or 0}
    )
    SweepMark.objects.update_or_create(
        name="customers", defaults={"at": Customer.objects.aggregate(m=Max("updated_at"))["m"]}
    )
    return total
