"""Customer memory in the demo: one very regular customer, facts, a duplicate to merge.

- The "regular": the first demo customer takes over every n-th conversation (3,000 of them at
  1,000,000, a few dozen in a small demo), with their events and messages, so the customer
  page and timeline are measured on a long history (`bench/customer_page.py`).
- Facts: two per conversation of the regular (thousands; some outdated, some with important
  dates around the anchor so the greeting hint has a reminder), and one for every tenth other
  customer.
- The next customer becomes a second record of the regular ("+shop" address): a duplicate suggestion.
- Match keys for every customer, so duplicate suggestions work from the start.

Bulk statements and `bulk_create`: seconds at a million conversations.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from django.db import transaction
from django.db.models import F

from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event
from goodwill.customers.models import Customer, Identity
from goodwill.memory.duplicates import build_all_keys
from goodwill.memory.models import Fact

REGULAR_MAX = 3000
FACTS_PER_REGULAR_CONVERSATION = 2
OTHER_FACT_EVERY = 10

FACTS: dict[str, list[str]] = {
    Fact.Category.FAMILY: [
        "Daughter {n} started university",
        "Has two sons who play football",
        "Husband is a nurse on night shifts",
        "Looks after her mother on weekends",
        "New baby in the family",
    ],
    Fact.Category.INTERESTS: [
        "Plays golf on Sundays",
        "Runs marathons",
        "Keeps bees",
        "Sings in a choir",
        "Restores old bikes",
    ],
    Fact.Category.LIKES: [
        "Prefers dark roast coffee",
        "Loves the blue edition",
        "Likes a short answer first",
    ],
    Fact.Category.DISLIKES: ["Hates being put on hold", "Does not like automated replies"],
    Fact.Category.COMMUNICATION: [
        "Prefers email to phone",
        "Please don't call before noon",
        "Writes formally",
    ],
    Fact.Category.ACCESSIBILITY: [
        "Hard of hearing: write rather than call",
        "Uses a screen reader",
        "Needs large print",
    ],
    Fact.Category.OTHER: ["Customer since the first shop opened", "Orders for the whole office"],
}
DATES = ["Birthday", "Wedding anniversary", "Daughter's graduation", "Shop anniversary"]


def seed_memory(total: int, anchor: int, customer_base: int) -> dict[str, int]:
    """Run after the bulk load; customers above `customer_base` (and their conversations) are this seed's."""
    rng = random.Random(anchor + total)  # deterministic for a given size and anchor
    now = datetime.fromtimestamp(anchor, tz=UTC)
    regular = Customer.objects.filter(pk__gt=customer_base).order_by("pk").first()
    if regular is None:
        return {}
    target = min(REGULAR_MAX, max(20, total // 50))
    step = max(2, total // target)
    with transaction.atomic():
        moved = (
            Conversation.objects.filter(customer_id__gt=customer_base)
            .alias(slot=F("id") % step)
            .filter(slot=0)
            .update(customer=regular)
        )
        Event.objects.filter(conversation__customer=regular).exclude(customer=regular).update(
            customer=regular
        )
        Message.objects.filter(conversation__customer=regular, author_customer__isnull=False).update(
            author_customer=regular
        )
        Customer.objects.filter(pk=regular.pk).update(
            preferred_name=regular.name.split()[0][:3] or "Mia", pronunciation="MEE-ah"
        )
        facts = _regular_facts(rng, regular, now)
        facts += _other_facts(rng, customer_base, now)
        Fact.objects.bulk_create(facts, batch_size=2000)
        _twin(regular)
    keys = build_all_keys()
    return {
        "regular_customer": regular.pk,
        "regular_conversations": moved,
        "facts": len(facts),
        "match_keys": keys,
    }


def _fact(
    rng: random.Random, customer_id: int, learned: datetime, conversation_id: int | None = None
) -> Fact:
    category = rng.choice(list(FACTS))
    text = rng.choice(FACTS[category]).format(n=rng.choice(["Lucy", "Ana", "Mia", "Zoe"]))
    outdated = learned + timedelta(days=3) if rng.random() < 0.1 else None
    return Fact(
        customer_id=customer_id,
        category=category,
        text=text,
        source_conversation_id=conversation_id,
        learned_at=learned,
        updated_at=outdated or learned,
        outdated_at=outdated,
    )


def _regular_facts(rng: random.Random, regular: Customer, now: datetime) -> list[Fact]:
    conversations = list(
        Conversation.objects.filter(customer=regular).order_by("pk").values_list("pk", "created_at")
    )
    facts = []
    for pk, created in conversations:
        for _ in range(FACTS_PER_REGULAR_CONVERSATION):
            facts.append(_fact(rng, regular.pk, created + timedelta(minutes=rng.randrange(5, 600)), pk))
    today = now.date()
    for index, label in enumerate(DATES):
        day = today + timedelta(days=3 + 40 * index)  # the first within the reminder window
        facts.append(
            Fact(
                customer_id=regular.pk,
                category=Fact.Category.DATE,
                text=f"{label} on {day:%-d %B}",
                date=date(1990 + index, day.month, min(day.day, 28)),
                learned_at=now - timedelta(days=10 + index),
                updated_at=now - timedelta(days=10 + index),
            )
        )
    return facts


def _other_facts(rng: random.Random, customer_base: int, now: datetime) -> list[Fact]:
    ids = Customer.objects.filter(pk__gt=customer_base + 2).values_list("pk", flat=True).order_by("pk")
    return [
        _fact(rng, pk, now - timedelta(days=rng.randrange(1, 120), minutes=rng.randrange(0, 1440)))
        for index, pk in enumerate(ids.iterator(chunk_size=5000))
        if index % OTHER_FACT_EVERY == 0
    ]


def _twin(regular: Customer) -> None:
    """The next demo customer becomes a second record of the regular (same name and organisation, the
    regular's address with a "+shop" tag): a duplicate to suggest. Updated in place, so the data set
    keeps its size and stays identical from run to run."""
    twin = Customer.objects.filter(pk__gt=regular.pk).order_by("pk").values_list("pk", flat=True).first()
    email = (
        Identity.objects.filter(customer=regular, kind=Identity.Kind.EMAIL)
        .values_list("value", flat=True)
        .first()
    )
    if twin is None or not email:
        return
    local, _, domain = email.partition("@")
    Customer.objects.filter(pk=twin).update(name=regular.name, organisation_id=regular.organisation_id)
    first = Identity.objects.filter(customer_id=twin, kind=Identity.Kind.EMAIL).order_by("pk").first()
    if first is not None:
        Identity.objects.filter(pk=first.pk).update(value=f"{local}+shop@{domain}")
