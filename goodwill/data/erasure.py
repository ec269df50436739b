"""Erasing a customer on request: delete their conversations, or keep them with the person
taken out. Rows are found by walking the model graph (graph.py); raw mail, files, the search
index, cache and task payloads by the hooks in outside.py; copies made from their rows (webhook
bodies, notices, interview quotes) by copies.py. The audit trail keeps an event
that says an erasure happened, by whom and how many rows, and nothing of what was erased."""

from __future__ import annotations

from django.db import models, transaction

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Attachment, Conversation, Message
from goodwill.core.events import CUSTOMER_ERASED
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.customers.models import Customer
from goodwill.data.copies import erase_copies
from goodwill.data.graph import Rows, collect, text_fields
from goodwill.data.models import Erasure
from goodwill.data.outside import Erasing, file_names_of, run_after_commit, run_before, sweep_all_tables
from goodwill.data.scrub import ERASED_NAME, REMOVED_MESSAGE, Scrubber

# Rows that belong to a kept conversation even though they also point at the customer.
_KEPT_WITH_CONVERSATION = (Conversation, Message, Event)


def erase_customer(customer: Customer, *, keep_conversations: bool, actor: Agent | None = None) -> Erasure:
    """Erase `customer`. With `keep_conversations` their conversations stay, anonymised;
    otherwise they are deleted (their Message-IDs stay behind as tombstones)."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        rows = collect(customer)
        erasing = Erasing(customer, rows, Scrubber(customer), file_names_of(rows), rows.counts())
        run_before(erasing)
        erase_copies(erasing, keep_conversations=keep_conversations)
        _blank_their_messages(erasing)
        if keep_conversations:
            _anonymise(erasing)
        else:
            _delete(erasing)
        _scrub_survivors(erasing)
        sweep_all_tables(erasing)
        mode = Erasure.Mode.ANONYMISE if keep_conversations else Erasure.Mode.DELETE
        erasure = Erasure.objects.create(
            customer_id_erased=customer.pk, mode=mode, actor=actor, counts=erasing.counts
        )
        record_event(
            Event.Kind.OTHER,
            actor=actor,
            subject=erasure,
            after={
                "action": CUSTOMER_ERASED,  # also a topic of the event seam
                "mode": mode,
                "customer_id": customer.pk,
                "counts": erasing.counts,
            },
        )
        transaction.on_commit(lambda: run_after_commit(erasing))
    return erasure


def _their_messages(erasing: Erasing) -> list[int]:
    """What the person wrote: messages they authored, and inbound messages in their conversations."""
    own = Conversation.objects.filter(customer=erasing.customer)
    ids = set(Message.objects.filter(author_customer=erasing.customer).values_list("pk", flat=True))
    ids |= set(
        Message.objects.filter(conversation__in=own, direction=Message.Direction.INBOUND).values_list(
            "pk", flat=True
        )
    )
    return sorted(ids)


def _blank_their_messages(erasing: Erasing) -> None:
    """Their words and files go in either mode (a kept conversation keeps the team's side)."""
    ids = _their_messages(erasing)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Attachment.objects.filter(message_id__in=chunk).delete()
        Message.objects.filter(pk__in=chunk).update(text=REMOVED_MESSAGE, new_text="", html="", raw_path="")
    erasing.counts["messages_blanked"] = len(ids)


def _delete(erasing: Erasing) -> None:
    own = list(Conversation.objects.filter(customer=erasing.customer).values_list("pk", flat=True))
    for start in range(0, len(own), 200):
        # Django's collector follows every on_delete rule, including models added by other apps.
        Conversation.objects.filter(pk__in=own[start : start + 200]).delete()
    erasing.counts["conversations_deleted"] = len(own)
    Customer.objects.filter(pk=erasing.customer.pk).delete()


def _anonymise(erasing: Erasing) -> None:
    """Keep the customer row as an anonymous placeholder (conversations need one) and drop
    every row that is about the person rather than a conversation (identities, facts, …)."""
    customer = erasing.customer
    for item in text_fields(Customer):
        setattr(customer, item.attname, "" if not isinstance(item, models.JSONField) else item.get_default())
    customer.name = ERASED_NAME
    customer.organisation = None
    customer.save()
    dropped = 0
    for model in erasing.rows.models():
        if model is Customer or issubclass(model, _KEPT_WITH_CONVERSATION):
            continue
        direct = [
            item
            for item in model._meta.concrete_fields
            if isinstance(item, models.ForeignKey) and item.remote_field.model is Customer
        ]
        if not direct:
            continue
        for item in direct:
            dropped += model._base_manager.filter(**{item.name: customer.pk}).delete()[0]
    erasing.counts["rows_dropped"] = dropped


def _scrub_survivors(erasing: Erasing) -> None:
    """Rows that outlived the erasure (kept conversations, rows whose link went NULL) lose the
    person's addresses, numbers and names from their text."""
    scrubbed = 0
    for model in erasing.rows.models():
        if model is Customer:
            continue
        fields = text_fields(model)
        if not fields:
            continue
        scrubbed += _scrub_model(erasing.rows, model, fields, erasing.scrubber)
    erasing.counts["rows_scrubbed"] = scrubbed


def _scrub_model(rows: Rows, model: type[models.Model], fields: list, scrubber: Scrubber) -> int:  # type: ignore[type-arg]
    changed = 0
    for instance in rows.objects(model):
        names = scrubber.row(instance, fields)
        if names:
            model._base_manager.filter(pk=instance.pk).update(
                **{name: getattr(instance, name) for name in names}
            )
            changed += 1
    return changed
