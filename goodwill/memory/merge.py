"""Merge two customer records that are one person: everything moves to the survivor.

Every row that points at the merged record (identities, conversations, messages, events,
facts, and whatever other apps keep per customer) is moved in one transaction, found through
the model's reverse relations rather than a list, so an app added later is moved too. The
survivor keeps its own details and takes the merged record's where it had none. The merge is
written to `CustomerMerge` (what moved, by whom, why) and as a `customer.changed` event on the
survivor, so the audit trail and the event seam see it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer, Identity
from goodwill.memory.duplicates import refresh_keys
from goodwill.memory.models import CustomerMerge

FILLED_IF_BLANK = ("name", "preferred_name", "pronunciation", "language", "time_zone", "preferred_channel")


def _move_related(merged: Customer, survivor: Customer) -> dict[str, int]:
    """Point every row that references `merged` at `survivor`; returns counts per model."""
    moved: dict[str, int] = {}
    # include_hidden: relations declared with related_name="+" point at the customer too.
    relations = [
        field
        for field in Customer._meta.get_fields(include_hidden=True)
        if isinstance(field, models.ForeignObjectRel) and (field.one_to_many or field.one_to_one)
    ]
    for relation in relations:
        model = relation.related_model
        if not isinstance(relation.field, models.ForeignKey) or not isinstance(model, type):
            continue
        name = relation.field.name
        rows = model._base_manager.filter(**{name: merged})
        # A one-to-one row moves only when the survivor has none; otherwise it goes with the record.
        if relation.field.unique and model._base_manager.filter(**{name: survivor}).exists():
            continue
        count = rows.update(**{name: survivor})
        if count:
            label = model._meta.label_lower
            moved[label] = moved.get(label, 0) + count
    return moved


def _fill_blanks(survivor: Customer, merged: Customer) -> dict[str, Any]:
    taken: dict[str, Any] = {}
    for name in FILLED_IF_BLANK:
        if not getattr(survivor, name) and getattr(merged, name):
            taken[name] = getattr(merged, name)
            setattr(survivor, name, taken[name])
    if survivor.organisation_id is None and merged.organisation_id is not None:
        survivor.organisation_id = merged.organisation_id
        taken["organisation"] = merged.organisation_id
    if merged.notes and merged.notes not in survivor.notes:
        survivor.notes = f"{survivor.notes}\n\n{merged.notes}".strip()
        taken["notes"] = merged.notes
    contacts = [at for at in (survivor.last_contact_at, merged.last_contact_at) if at is not None]
    survivor.last_contact_at = max(contacts, default=None)
    survivor.is_internal = survivor.is_internal or merged.is_internal
    return taken


def merge_customers(
    survivor: Customer, merged: Customer, *, by: Agent | None, reason: str = ""
) -> CustomerMerge:
    """Fold `merged` into `survivor` and delete the emptied record. All or nothing."""
    require(by, Action.EDIT_CUSTOMER)
    if survivor.pk == merged.pk:
        raise ValidationError("A customer cannot be merged into itself.")
    with transaction.atomic():
        # Lock both rows (in id order, so two opposite merges cannot deadlock) and re-read them.
        both = Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")
        locked = {customer.pk: customer for customer in both}
        if len(locked) != 2:
            raise ValidationError("One of these customers no longer exists (already merged?).")
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        identities = [
            {"kind": kind, "value": value}
            for kind, value in Identity.objects.filter(customer=merged).values_list("kind", "value")
        ]
        Identity.objects.filter(customer=merged).update(is_primary=False)
        moved = _move_related(merged, survivor)
        taken = _fill_blanks(survivor, merged)
        survivor.save()
        record = CustomerMerge.objects.create(
            survivor=survivor,
            merged_customer_id=merged.pk,
            merged_name=merged.name,
            merged_identities=identities,
            moved=moved,
            reason=reason[:300],
            merged_by=by,
            merged_at=timezone.now(),
        )
        record_event(
            Event.Kind.CUSTOMER_CHANGED,
            actor=by,
            customer=survivor,
            subject=survivor,
            before={"merged_customer": merged.pk, "name": merged.name, "identities": identities},
            after={"merged_from": merged.pk, "taken": taken, "moved": moved},
        )
        merged.delete()
        refresh_keys([survivor.pk])
    return record
