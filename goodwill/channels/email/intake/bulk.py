"""Plain messages of a batch, written together."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from goodwill.channels.email.identities import clear_failing_many
from goodwill.channels.email.intake.acknowledge import _maybe_acknowledge
from goodwill.channels.email.intake.directory import (
    _current_directory,
    _Directory,
    mailbox_of,
    sender_over_limit,
)
from goodwill.channels.email.intake.inbound import inbound_message
from goodwill.channels.email.intake.pipeline import process_raw
from goodwill.channels.email.intake.rows import _AlreadyProcessed, _details_row
from goodwill.channels.email.models import (
    EmailDetails,
    Mailbox,
    MessageKey,
    RawEmail,
)
from goodwill.channels.email.parsing import (
    ParsedEmail,
    identity_key,
)
from goodwill.channels.email.threads import SUBJECT_TAG_RE, live_conversation
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import (
    receive_messages_in_bulk,
)
from goodwill.customers.models import Customer, Identity
from goodwill.customers.services import create_customers_by_email

logger = logging.getLogger("goodwill.email")

State = RawEmail.State


# --- plain messages in bulk -----------------------------------------------------------------------------
#
# Most mail is plain: a new message from a person, starting a conversation or answering one by
# its headers. Within a read-ahead batch such messages are planned from what the read-ahead
# knows and written together (one statement per table, in one savepoint). Anything else (not
# parsed, a bounce, a loop, a reply token or subject tag to look up, a sender or key not read
# ahead) first writes the group planned so far, then takes the one-message path, so each
# message still sees everything before it. If the group's savepoint fails (another process
# took a key or a message at the same moment), its messages take the one-message path too.


@dataclass
class _Plan:
    raw: RawEmail
    data: bytes
    parsed: ParsedEmail
    key: str
    mailbox: Mailbox | None = None
    duplicate: bool = False
    customer: Customer | None = None  # None: a customer created with the group
    conversation_id: int | None = None  # the conversation it answers...
    follows: int | None = None  # ...or the group's message (position in `messages`) it answers


@dataclass
class _Group:
    plans: list[tuple[int, _Plan]] = field(default_factory=list)  # (position in the batch, plan)
    messages: list[_Plan] = field(default_factory=list)  # the plans that become messages, in order
    keys: set[str] = field(default_factory=set)
    threads: dict[str, int] = field(default_factory=dict)  # Message-ID → position in `messages`
    sent: dict[str, int] = field(default_factory=dict)  # messages per sender
    new_customers: dict[str, str] = field(default_factory=dict)  # address → name

    def clear(self) -> None:
        self.plans.clear()
        self.messages.clear()
        self.keys.clear()
        self.threads.clear()
        self.sent.clear()
        self.new_customers.clear()


class _GroupFailed(Exception):
    pass


def _plan(raw: RawEmail, data: bytes | None, group: _Group, directory: _Directory) -> _Plan | None:
    """How a plain message joins the group, or None when it needs the one-message path."""
    if data is None or raw.state != State.PENDING:
        return None
    parsed = directory.parsed.get(raw.pk)
    if parsed is None or parsed.robot == "bounce":
        return None
    key = identity_key(parsed, data)
    if key in group.keys or key not in directory.keys_checked:
        return None
    if key in directory.keys_taken:
        return _Plan(raw, data, parsed, key, duplicate=True)
    mailbox = mailbox_of(raw, parsed)
    address = parsed.from_address
    if address in directory.own:
        return None
    if sender_over_limit(address, mailbox, planned=group.sent.get(address, 0), ask=False) is not False:
        return None
    plan = _Plan(raw, data, parsed, key, mailbox=mailbox, customer=directory.customers.get(address))
    if plan.customer is not None:
        if parsed.from_name and not plan.customer.name:
            return None  # find_or_create_customer_by_email names them
    elif address not in group.new_customers:
        if parseaddr(address) != ("", address) or Identity.normalise_email(address) != address:
            return None
        try:
            validate_email(address)
        except ValidationError:
            return None
    for thread_id in parsed.thread_ids:
        # Only the conversation's own customer is planned here; anyone else takes the one-message
        # path, where the participant rule decides (a stranger opens a new, linked conversation).
        if thread_id in group.threads:
            if group.messages[group.threads[thread_id]].parsed.from_address != address:
                return None
            plan.follows = group.threads[thread_id]
            break
        if thread_id in directory.threads:
            conversation_id, customer_id = directory.threads[thread_id]
            if plan.customer is None or plan.customer.pk != customer_id:
                return None
            plan.conversation_id = conversation_id
            break
        if thread_id not in directory.threads_checked:
            return None
    else:
        if (mailbox is None or mailbox.thread_by_reply_token) and "gw-" in " ".join(
            [*parsed.thread_ids, *parsed.to, *parsed.cc, *parsed.delivered_to]
        ):
            return None
        if (mailbox is None or mailbox.thread_by_subject_tag) and SUBJECT_TAG_RE.search(parsed.subject):
            return None
    if plan.customer is None:
        # A later message of the same new person may bring the name the first one lacked.
        group.new_customers[address] = group.new_customers.get(address) or parsed.from_name
    return plan


def _add_to_group(group: _Group, position: int, plan: _Plan) -> None:
    group.plans.append((position, plan))
    group.keys.add(plan.key)
    if plan.duplicate:
        return
    if plan.parsed.message_id:
        group.threads.setdefault(plan.parsed.message_id[:500], len(group.messages))
    group.messages.append(plan)
    group.sent[plan.parsed.from_address] = group.sent.get(plan.parsed.from_address, 0) + 1


def _mark(raws: list[RawEmail], state: str) -> None:
    """Move pending raw emails to `state` in one statement; fails if another process got to one first."""
    if not raws:
        return
    updated = RawEmail.objects.filter(pk__in=[raw.pk for raw in raws], state=State.PENDING).update(
        state=state, processed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if updated != len(raws):
        raise _AlreadyProcessed
    for raw in raws:
        raw.state = state


def _write_group(group: _Group) -> list[str]:
    """Write the planned group (the caller holds a savepoint); the state of each plan."""
    _mark([plan.raw for _position, plan in group.plans if plan.duplicate], State.DUPLICATE)
    people = list(group.new_customers.items())
    created = dict(zip(group.new_customers, create_customers_by_email(people), strict=True))
    wanted = {plan.conversation_id for plan in group.messages if plan.conversation_id is not None}
    found = Conversation.objects.in_bulk(wanted) if wanted else {}
    if len(found) != len(wanted):
        raise _GroupFailed("a conversation to answer is gone")
    live = {pk: live_conversation(conversation) for pk, conversation in found.items()}
    if any(live[pk].customer_id != found[pk].customer_id for pk in found):  # type: ignore[union-attr]
        raise _GroupFailed("merged into another customer's conversation: the participant rule decides")
    items = [
        inbound_message(
            plan.raw,
            plan.parsed,
            mailbox=plan.mailbox,
            customer=plan.customer or created[plan.parsed.from_address],
            conversation=live[plan.conversation_id] if plan.conversation_id is not None else None,
            follows=plan.follows,
        )
        for plan in group.messages
    ]
    results = receive_messages_in_bulk(items)
    EmailDetails.objects.bulk_create(
        [
            _details_row(message, plan.raw, plan.mailbox, plan.parsed)
            for plan, (_conversation, message, _opened) in zip(group.messages, results, strict=True)
        ]
    )
    clear_failing_many(plan.parsed.from_address for plan in group.messages)
    MessageKey.objects.bulk_create(
        [
            MessageKey(key=plan.key, raw=plan.raw, message=message)
            for plan, (_conversation, message, _opened) in zip(group.messages, results, strict=True)
        ]
    )
    opened = [plan for plan, result in zip(group.messages, results, strict=True) if result[2]]
    _mark([plan.raw for plan in opened], State.CREATED)
    _mark(
        [plan.raw for plan, result in zip(group.messages, results, strict=True) if not result[2]],
        State.APPENDED,
    )
    for plan, (conversation, _message, was_opened) in zip(group.messages, results, strict=True):
        if was_opened and plan.parsed.robot == "":
            _maybe_acknowledge(conversation, plan.raw, plan.parsed, plan.mailbox)
    directory = _current_directory()
    for plan, (conversation, _message, _opened) in zip(group.messages, results, strict=True):
        customer = plan.customer or created[plan.parsed.from_address]
        directory.note(
            plan.key,
            plan.parsed.from_address,
            customer,
            (plan.parsed.message_id[:500], conversation.pk, conversation.customer_id),
        )
    return [plan.raw.state for _position, plan in group.plans]


def _flush(group: _Group, states: list[str]) -> None:
    """Write the group planned so far, or on failure take its messages one by one."""
    if not group.plans:
        return
    directory = _current_directory()
    try:
        with transaction.atomic():
            written = _write_group(group)
        directory.settle(kept=True)
        for (position, _plan), state in zip(group.plans, written, strict=True):
            states[position] = state
    except Exception as error:
        directory.settle(kept=False)
        if isinstance(error, IntegrityError | _AlreadyProcessed):
            logger.info("a group of %s messages met a concurrent writer; one by one", len(group.plans))
        else:
            logger.exception("a group of %s messages failed; one by one", len(group.plans))
        for position, plan in group.plans:
            plan.raw.state = State.PENDING
            states[position] = process_raw(plan.raw, data=plan.data).state
    group.clear()


def _process_in_order(items: Sequence[tuple[RawEmail, bytes | None]]) -> list[str]:
    """Process a read-ahead batch in order (inside its transaction): plain messages in groups."""
    directory = _current_directory()
    states: list[str] = [State.PENDING] * len(items)
    group = _Group()
    for position, (raw, data) in enumerate(items):
        plan = _plan(raw, data, group, directory)
        if plan is not None:
            _add_to_group(group, position, plan)
            continue
        _flush(group, states)
        states[position] = process_raw(raw, data=data).state
    _flush(group, states)
    return states
