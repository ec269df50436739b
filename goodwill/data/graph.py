"""Which rows belong to a customer, found by walking Django's model graph.

Nothing here names the feature apps: every model with a foreign-key path to
`customers.Customer` (directly, or through a conversation, a message, or any row that
itself hangs off one) is found from `apps.get_models()` and `_meta`, so a model an app
adds tomorrow is exported and erased without a change here. `KEEP` lists the few models
that must survive an erasure (they hold no personal data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

from goodwill.customers.models import Customer

CHUNK = 500

# Rows that stay when their conversation goes: Message-ID hashes (tombstones that stop
# IMAP and intake from taking a deleted message in again) and our own erasure records.
KEEP = {"email.messagekey", "data.erasure", "data.importedobject", "data.importrun"}


@dataclass(frozen=True)
class Link:
    model: type[models.Model]
    field: models.ForeignKey  # type: ignore[type-arg]
    target: type[models.Model]


def _links() -> list[Link]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        for item in model._meta.concrete_fields:
            if isinstance(item, models.ForeignKey):
                target = item.remote_field.model
                if isinstance(target, str):
                    continue
                concrete = target._meta.concrete_model
                if concrete is not None:
                    found.append(Link(model, item, concrete))
    return found


def personal_models() -> list[type[models.Model]]:
    """Models reachable from Customer by following foreign keys backwards, in discovery order."""
    links = _links()
    reached: list[type[models.Model]] = [Customer]
    changed = True
    while changed:
        changed = False
        for link in links:
            if (
                link.target in reached
                and link.model not in reached
                and link.model._meta.label_lower not in KEEP
            ):
                reached.append(link.model)
                changed = True
    return reached


@dataclass
class Rows:
    """Primary keys of every row that belongs to one customer, per model."""

    ids: dict[type[models.Model], set] = field(default_factory=lambda: defaultdict(set))  # type: ignore[type-arg]

    def of(self, model: type[models.Model]) -> set:  # type: ignore[type-arg]
        return self.ids.get(model, set())

    def queryset(self, model: type[models.Model]) -> Iterator[models.QuerySet]:  # type: ignore[type-arg]
        ids = sorted(self.of(model))
        for start in range(0, len(ids), CHUNK):
            yield model._base_manager.filter(pk__in=ids[start : start + CHUNK])

    def objects(self, model: type[models.Model]) -> Iterator[models.Model]:
        for queryset in self.queryset(model):
            yield from queryset.order_by("pk")

    def models(self) -> list[type[models.Model]]:
        return [model for model, ids in self.ids.items() if ids]

    def counts(self) -> dict[str, int]:
        return {model._meta.label_lower: len(ids) for model, ids in self.ids.items() if ids}


def _chunks(values: Iterable[object]) -> Iterator[list[object]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def collect(customer: Customer) -> Rows:
    """Every row with a foreign-key path to `customer` (to a fixed point: paths may cross)."""
    reached = personal_models()
    links = [
        link
        for link in _links()
        if link.model in reached and link.target in reached and link.model is not link.target
    ]
    rows = Rows()
    rows.ids[Customer].add(customer.pk)
    changed = True
    while changed:
        changed = False
        for link in links:
            targets = rows.of(link.target)
            if not targets:
                continue
            known = rows.ids[link.model]
            for chunk in _chunks(targets):
                new = (
                    set(
                        link.model._base_manager.filter(**{f"{link.field.name}__in": chunk}).values_list(
                            "pk", flat=True
                        )
                    )
                    - known
                )
                if new:
                    known |= new
                    changed = True
    return rows


def text_fields(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    """Concrete columns that can hold free text (and so personal data)."""
    found: list[models.Field] = []  # type: ignore[type-arg]
    for item in model._meta.concrete_fields:
        if item.primary_key or isinstance(item, models.ForeignKey):
            continue
        if isinstance(item, models.CharField | models.TextField | models.JSONField) and not isinstance(
            item, models.FileField
        ):
            found.append(item)
    return found


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [item for item in model._meta.concrete_fields if isinstance(item, models.FileField)]
