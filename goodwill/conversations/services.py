"""Every state change of a conversation. Each runs in one transaction and records an Event.

Channels (email, portal, phone…) call these; they know protocols, not rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import (
    Attachment,
    ContactReason,
    Conversation,
    CustomField,
    Draft,
    Macro,
    Message,
    SavedView,
    Tag,
)
from goodwill.core.html import sanitise_html
from goodwill.core.models import Event
from goodwill.core.services import next_value, record_event
from goodwill.customers.models import Customer

logger = logging.getLogger("goodwill.conversations")


@dataclass(frozen=True)
class NewAttachment:
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"
    content_id: str = ""
    is_inline: bool = False


def _store_attachments(message: Message, attachments: Iterable[NewAttachment]) -> None:
    import hashlib

    for item in attachments:
        digest = hashlib.sha256(item.content).hexdigest()
        attachment = Attachment(
            message=message,
            filename=item.filename or "attachment",
            content_type=item.content_type or "application/octet-stream",
            size=len(item.content),
            sha256=digest,
            content_id=item.content_id,
            is_inline=item.is_inline,
        )
        attachment.file.save(attachment.filename, ContentFile(item.content), save=False)
        attachment.save()


def _touch_customer(customer: Customer, at: datetime) -> None:
    Customer.objects.filter(pk=customer.pk).update(last_contact_at=at)


def _create_inbound_message(
    conversation: Conversation,
    *,
    customer: Customer,
    kind: str,
    channel: str,
    by: Agent | None,
    text: str,
    new_text: str,
    html: str,
    message_id: str,
    raw_path: str,
    at: datetime,
    attachments: Sequence[NewAttachment],
) -> Message:
    """The customer's message row and its files; callers update the conversation."""
    message = Message.objects.create(
        conversation=conversation,
        direction=Message.Direction.INBOUND,
        kind=kind,
        channel=channel,
        author_customer=customer,
        author_agent=by,
        text=text,
        new_text=new_text or text,
        html=sanitise_html(html) if html else "",
        message_id=message_id,
        raw_path=raw_path,
        created_at=at,
    )
    _store_attachments(message, attachments)
    return message


def open_conversation(
    *,
    customer: Customer,
    subject: str,
    channel: str,
    text: str = "",
    html: str = "",
    new_text: str = "",
    kind: str = Message.Kind.REPLY,
    by: Agent | None = None,
    team: Team | None = None,
    priority: int = Conversation.Priority.NORMAL,
    message_id: str = "",
    raw_path: str = "",
    at: datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> tuple[Conversation, Message]:
    """Open a conversation with its first message from the customer.

    `by` is the agent who logged it (phone call, walk-in); otherwise the customer wrote it.
    """
    at = at or timezone.now()
    subject = (subject or "").strip()[:300] or _subject_from(text)
    with transaction.atomic():
        conversation = Conversation(
            number=next_value("conversation"),
            subject=subject,
            channel=channel,
            customer=customer,
            team=team,
            priority=priority,
            status=Conversation.Status.NEW,
            last_message_at=at,
            last_inbound_at=at,
            waiting_since=at,
            message_count=1,
            created_at=at,
            updated_at=timezone.now(),
        )
        # A plain save would stamp created_at (auto_now_add) with the present; a "raw" save, as
        # fixtures use, inserts the row as given instead of inserting and then correcting it.
        conversation.save_base(raw=True, force_insert=True)
        message = _create_inbound_message(
            conversation,
            customer=customer,
            kind=kind,
            channel=channel,
            by=by,
            text=text,
            new_text=new_text,
            html=html,
            message_id=message_id,
            raw_path=raw_path,
            at=at,
            attachments=attachments,
        )
        _touch_customer(customer, at)
        record_event(
            Event.Kind.CONVERSATION_OPENED,
            actor=by,
            customer=customer,
            conversation=conversation,
            subject=conversation,
            after={"channel": channel, "subject": subject},
            at=at,
        )
    return conversation, message


def _subject_from(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return (first_line[:80] + "…") if len(first_line) > 80 else (first_line or "(no subject)")


def receive_message(
    conversation: Conversation,
    *,
    customer: Customer,
    text: str,
    html: str = "",
    new_text: str = "",
    channel: str = Conversation.Channel.EMAIL,
    kind: str = Message.Kind.REPLY,
    by: Agent | None = None,
    message_id: str = "",
    raw_path: str = "",
    at: datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """Append a customer's message; a solved or pending conversation opens again."""
    at = at or timezone.now()
    with transaction.atomic():
        message = _create_inbound_message(
            conversation,
            customer=customer,
            kind=kind,
            channel=channel,
            by=by,
            text=text,
            new_text=new_text,
            html=html,
            message_id=message_id,
            raw_path=raw_path,
            at=at,
            attachments=attachments,
        )
        before_status = conversation.status
        updates: dict[str, Any] = {
            "message_count": F("message_count") + 1,
            "last_message_at": at,
            "last_inbound_at": at,
            "updated_at": timezone.now(),
        }
        if conversation.waiting_since is None:
            updates["waiting_since"] = at
        if conversation.status in (
            Conversation.Status.PENDING,
            Conversation.Status.SOLVED,
            Conversation.Status.CLOSED,
        ):
            updates["status"] = Conversation.Status.OPEN
            updates["solved_at"] = None
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        # The row now holds these values; mirror them instead of reading the row (and its customer) back.
        for name, value in updates.items():
            setattr(conversation, name, value)
        conversation.message_count = (conversation.message_count or 0) + 1
        _touch_customer(customer, at)
        record_event(
            Event.Kind.MESSAGE_RECEIVED,
            actor=by,
            customer=conversation.customer,
            conversation=conversation,
            subject=message,
            at=at,
        )
        if before_status != conversation.status:
            record_event(
                Event.Kind.STATUS_CHANGED,
                customer=conversation.customer,
                conversation=conversation,
                before={"status": before_status},
                after={"status": conversation.status},
                at=at,
            )
    return message


# --- many inbound messages at once (email intake batches) ------------------------------


@dataclass
class InboundMessage:
    """One customer message for `receive_messages_in_bulk`.

    It joins `conversation` when given, else the conversation that item number `follows` of
    the same batch opened or joined; with neither, it opens a new one with `subject` and `team`.
    """

    customer: Customer
    channel: str
    at: datetime
    text: str = ""
    html: str = ""
    new_text: str = ""
    message_id: str = ""
    raw_path: str = ""
    attachments: Sequence[NewAttachment] = ()
    subject: str = ""
    team: Team | None = None
    conversation: Conversation | None = None
    follows: int | None = None


def receive_messages_in_bulk(items: Sequence[InboundMessage]) -> list[tuple[Conversation, Message, bool]]:
    """The same rows and events as `open_conversation` / `receive_message` once per item in order,
    written with a handful of multi-row statements. Returns (conversation, message, opened) per item.

    Customers must be saved, and conversations to join freshly read in the caller's transaction.
    """
    now = timezone.now()
    targets: list[Conversation] = []
    opened: list[bool] = []
    new_conversations: list[Conversation] = []
    joined: dict[int, Conversation] = {}  # existing conversations by pk
    added: dict[int, int] = {}  # messages added to each of them
    changed: dict[int, set[str]] = {}  # and the columns that changed
    status_changes: dict[int, str] = {}  # item index → status before (it became OPEN)
    for index, item in enumerate(items):
        if item.conversation is None and item.follows is None:
            conversation = Conversation(
                number=next_value("conversation"),
                subject=(item.subject or "").strip()[:300] or _subject_from(item.text),
                channel=item.channel,
                customer=item.customer,
                team=item.team,
                priority=Conversation.Priority.NORMAL,
                status=Conversation.Status.NEW,
                last_message_at=item.at,
                last_inbound_at=item.at,
                waiting_since=item.at,
                message_count=1,
                created_at=item.at,
            )
            new_conversations.append(conversation)
            targets.append(conversation)
            opened.append(True)
            continue
        conversation = item.conversation if item.conversation is not None else targets[item.follows or 0]
        if conversation.pk is not None:
            conversation = joined.setdefault(conversation.pk, conversation)
            added[conversation.pk] = added.get(conversation.pk, 0) + 1
            columns = changed.setdefault(conversation.pk, set())
            columns.update(("last_message_at", "last_inbound_at"))
            if conversation.waiting_since is None:
                columns.add("waiting_since")
            if conversation.status in (
                Conversation.Status.PENDING,
                Conversation.Status.SOLVED,
                Conversation.Status.CLOSED,
            ):
                columns.update(("status", "solved_at"))
        # Mirror receive_message on the in-memory row.
        if conversation.waiting_since is None:
            conversation.waiting_since = item.at
        if conversation.status in (
            Conversation.Status.PENDING,
            Conversation.Status.SOLVED,
            Conversation.Status.CLOSED,
        ):
            status_changes[index] = conversation.status
            conversation.status = Conversation.Status.OPEN
            conversation.solved_at = None
        conversation.message_count = (conversation.message_count or 0) + 1
        conversation.last_message_at = item.at
        conversation.last_inbound_at = item.at
        targets.append(conversation)
        opened.append(False)

    with transaction.atomic():
        if new_conversations:
            opened_at = {id(conversation): conversation.created_at for conversation in new_conversations}
            Conversation.objects.bulk_create(new_conversations)
            # created_at is auto_now_add, which the insert overrides; one UPDATE puts the real times back.
            _update_each(Conversation, {c.pk: {"created_at": opened_at[id(c)]} for c in new_conversations})
            for conversation in new_conversations:
                conversation.created_at = opened_at[id(conversation)]
        messages = Message.objects.bulk_create(
            [
                Message(
                    conversation=conversation,
                    direction=Message.Direction.INBOUND,
                    kind=Message.Kind.REPLY,
                    channel=item.channel,
                    author_customer=item.customer,
                    text=item.text,
                    new_text=item.new_text or item.text,
                    html=sanitise_html(item.html) if item.html else "",
                    message_id=item.message_id,
                    raw_path=item.raw_path,
                    created_at=item.at,
                )
                for item, conversation in zip(items, targets, strict=True)
            ]
        )
        for item, message in zip(items, messages, strict=True):
            if item.attachments:
                _store_attachments(message, item.attachments)
        for conversation in joined.values():
            conversation.updated_at = now
        _update_each(
            Conversation,
            {
                pk: {"updated_at": now, **{name: getattr(conversation, name) for name in changed[pk]}}
                for pk, conversation in joined.items()
            },
            add={"message_count": added},
        )
        last_contact: dict[int, datetime] = {}
        for item in items:
            last_contact[item.customer.pk] = item.at
        _update_each(Customer, {pk: {"last_contact_at": at} for pk, at in last_contact.items()})
        events: list[Event] = []
        for index, (item, conversation, message) in enumerate(zip(items, targets, messages, strict=True)):
            if opened[index]:
                events.append(
                    Event(
                        kind=Event.Kind.CONVERSATION_OPENED,
                        customer=item.customer,
                        conversation=conversation,
                        subject_type=conversation._meta.label_lower,
                        subject_id=str(conversation.pk),
                        after={"channel": item.channel, "subject": conversation.subject},
                        created_at=item.at,
                    )
                )
                continue
            events.append(
                Event(
                    kind=Event.Kind.MESSAGE_RECEIVED,
                    customer_id=conversation.customer_id,
                    conversation=conversation,
                    subject_type=message._meta.label_lower,
                    subject_id=str(message.pk),
                    created_at=item.at,
                )
            )
            if index in status_changes:
                events.append(
                    Event(
                        kind=Event.Kind.STATUS_CHANGED,
                        customer_id=conversation.customer_id,
                        conversation=conversation,
                        before={"status": status_changes[index]},
                        after={"status": Conversation.Status.OPEN},
                        created_at=item.at,
                    )
                )
        Event.objects.bulk_create(events)
    return list(zip(targets, messages, opened, strict=True))


def _update_each(
    model: type[models.Model],
    rows: dict[int, dict[str, Any]],
    *,
    add: dict[str, dict[int, int]] | None = None,
) -> None:
    """One UPDATE that gives each row (by pk) its own values, and adds to counters (`add[column][pk]`).

    Plain SQL: Django's Case/When costs ~1 ms per row to build, more than the rows it saves.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = {field.name: field for field in model._meta.concrete_fields}
    pk = quote(str(fields[model._meta.pk.name].column))  # type: ignore[union-attr]
    assignments: list[str] = []
    params: list[Any] = []
    for name in sorted({name for values in rows.values() for name in values}):
        field = fields[name]
        column = quote(str(field.column))
        whens = [(key, values[name]) for key, values in rows.items() if name in values]
        assignments.append(f"{column} = CASE {pk}{' WHEN %s THEN %s' * len(whens)} ELSE {column} END")
        for key, value in whens:
            params += [key, field.get_db_prep_save(value, connection)]
    for name, amounts in (add or {}).items():
        column = quote(str(fields[name].column))
        assignments.append(f"{column} = {column} + CASE {pk}{' WHEN %s THEN %s' * len(amounts)} ELSE 0 END")
        for key, amount in amounts.items():
            params += [key, amount]
    params += list(rows)
    with connection.cursor() as cursor:
        # Names come from the model's metadata; every value is a parameter.
        sql = f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} WHERE {pk} IN "  # noqa: S608
        cursor.execute(sql + f"({', '.join(['%s'] * len(rows))})", params)


def add_reply(
    conversation: Conversation,
    *,
    by: Agent,
    text: str,
    html: str = "",
    status: str | None = None,
    attachments: Sequence[NewAttachment] = (),
    at: datetime | None = None,
) -> Message:
    """An agent answers the customer. Email conversations are delivered by the worker."""
    if not by.can_reply:
        raise PermissionDenied("Light agents can add internal notes, not replies.")
    text = text.strip()
    if not text and not attachments:
        raise ValidationError("A reply needs some text.")
    at = at or timezone.now()
    email_delivery = (
        conversation.channel
        in (
            Conversation.Channel.EMAIL,
            Conversation.Channel.WEBFORM,
            Conversation.Channel.PORTAL,
        )
        and conversation.customer.identities.filter(kind="email").exists()
    )
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.OUTBOUND,
            kind=Message.Kind.REPLY,
            channel=conversation.channel,
            author_agent=by,
            text=text,
            new_text=text,
            html=sanitise_html(html) if html else "",
            delivery=Message.Delivery.QUEUED if email_delivery else Message.Delivery.NONE,
            created_at=at,
        )
        _store_attachments(message, attachments)
        updates: dict[str, Any] = {
            "message_count": F("message_count") + 1,
            "last_message_at": at,
            "waiting_since": None,
            "updated_at": timezone.now(),
        }
        if conversation.first_response_at is None:
            updates["first_response_at"] = at
        if conversation.assignee_id is None:
            updates["assignee"] = by
        Conversation.objects.filter(pk=conversation.pk).update(**updates)
        conversation.refresh_from_db()
        record_event(Event.Kind.REPLY_SENT, actor=by, conversation=conversation, subject=message, at=at)
        new_status = status or (
            Conversation.Status.OPEN if conversation.status == Conversation.Status.NEW else None
        )
        if new_status and new_status != conversation.status:
            change_status(conversation, new_status, by=by)
    if email_delivery:
        from goodwill.conversations.tasks import deliver_reply

        transaction.on_commit(lambda: deliver_reply.enqueue(message.pk))
    return message


def add_note(
    conversation: Conversation,
    *,
    by: Agent | None,
    text: str,
    at: datetime | None = None,
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """An internal note: only agents see it. Light agents may add notes; `by=None` is the system."""
    text = text.strip()
    if not text and not attachments:
        raise ValidationError("A note needs some text.")
    at = at or timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation,
            direction=Message.Direction.INTERNAL,
            kind=Message.Kind.NOTE,
            channel=conversation.channel,
            author_agent=by,
            text=text,
            new_text=text,
            created_at=at,
        )
        _store_attachments(message, attachments)
        Conversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 1, updated_at=timezone.now()
        )
        conversation.refresh_from_db()
        record_event(Event.Kind.NOTE_ADDED, actor=by, conversation=conversation, subject=message, at=at)
    return message


def log_contact(
    *,
    by: Agent,
    customer: Customer,
    kind: str,
    text: str,
    subject: str = "",
    conversation: Conversation | None = None,
    at: datetime | None = None,
) -> tuple[Conversation, Message]:
    """An agent logs a phone call or walk-in: a new conversation, or a message on an existing one."""
    if kind not in (Message.Kind.PHONE, Message.Kind.WALK_IN):
        raise ValidationError("Only phone calls and walk-ins are logged this way.")
    if by.is_light:
        raise PermissionDenied("Light agents can add internal notes only.")
    channel = Conversation.Channel.PHONE if kind == Message.Kind.PHONE else Conversation.Channel.WALK_IN
    if conversation is None:
        return open_conversation(
            customer=customer, subject=subject, channel=channel, text=text, kind=kind, by=by, at=at
        )
    message = receive_message(
        conversation, customer=customer, text=text, channel=channel, kind=kind, by=by, at=at
    )
    return conversation, message


# --- field changes ------------------------------------------------------------


def change_status(conversation: Conversation, status: str, *, by: Agent | None) -> None:
    if status not in Conversation.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    if by is not None and by.is_light:
        raise PermissionDenied("Light agents cannot change the status.")
    before = conversation.status
    if before == status:
        return
    now = timezone.now()
    conversation.status = status
    if status == Conversation.Status.SOLVED:
        conversation.solved_at = now
    elif status == Conversation.Status.CLOSED:
        conversation.closed_at = now
        conversation.solved_at = conversation.solved_at or now
    elif status in Conversation.OPEN_STATUSES:
        conversation.solved_at = None
        conversation.closed_at = None
    with transaction.atomic():
        conversation.save(update_fields=["status", "solved_at", "closed_at", "updated_at"])
        record_event(
            Event.Kind.STATUS_CHANGED,
            actor=by,
            conversation=conversation,
            before={"status": before},
            after={"status": status},
        )


def assign_conversation(conversation: Conversation, *, to: Agent | None, by: Agent | None) -> None:
    """Assign (or unassign with `to=None`) and record it on the timeline."""
    if by is not None and by.is_light:
        raise PermissionDenied("Light agents cannot assign conversations.")
    if to is not None and (not to.is_active or to.is_light):
        raise ValidationError("Conversations can be assigned to active agents only.")
    before = conversation.assignee_id
    if before == (to.pk if to else None):
        return
    with transaction.atomic():
        conversation.assignee = to
        if to is not None and conversation.status == Conversation.Status.NEW:
            conversation.status = Conversation.Status.OPEN
        conversation.save(update_fields=["assignee", "status", "updated_at"])
        record_event(
            Event.Kind.ASSIGNED,
            actor=by,
            conversation=conversation,
            before={"assignee": before},
            after={"assignee": to.pk if to else None, "name": str(to) if to else None},
        )


def _simple_change(
    conversation: Conversation, field: str, value: Any, kind: str, by: Agent | None, shown: Any = None
) -> None:
    if by is not None and by.is_light:
        raise PermissionDenied("Light agents can add internal notes only.")
    before = getattr(conversation, field if not field.endswith("_id") else field)
    if before == value:
        return
    with transaction.atomic():
        setattr(conversation, field, value)
        conversation.save(update_fields=[field.removesuffix("_id"), "updated_at"])
        record_event(
            kind,
            actor=by,
            conversation=conversation,
            before={field: before},
            after={field: value, **({"name": shown} if shown is not None else {})},
        )


def set_priority(conversation: Conversation, priority: int, *, by: Agent | None) -> None:
    if priority not in Conversation.Priority.values:
        raise ValidationError(f"Unknown priority {priority!r}.")
    _simple_change(conversation, "priority", priority, Event.Kind.PRIORITY_CHANGED, by)


def set_team(conversation: Conversation, team: Team | None, *, by: Agent | None) -> None:
    _simple_change(
        conversation, "team_id", team.pk if team else None, Event.Kind.TEAM_CHANGED, by, str(team or "")
    )


def set_subject(conversation: Conversation, subject: str, *, by: Agent | None) -> None:
    subject = subject.strip()
    if not subject:
        raise ValidationError("The subject cannot be empty.")
    _simple_change(conversation, "subject", subject[:300], Event.Kind.SUBJECT_CHANGED, by)


def set_need(conversation: Conversation, need: ContactReason | None, *, by: Agent | None) -> None:
    _simple_change(
        conversation, "need_id", need.pk if need else None, Event.Kind.NEED_CHANGED, by, str(need or "")
    )


def set_need_met(conversation: Conversation, need_met: str, *, by: Agent | None) -> None:
    if need_met and need_met not in Conversation.NeedMet.values:
        raise ValidationError(f"Unknown need-met value {need_met!r}.")
    _simple_change(conversation, "need_met", need_met, Event.Kind.NEED_MET_CHANGED, by)


def set_tags(conversation: Conversation, names: Iterable[str], *, by: Agent | None) -> None:
    if by is not None and by.is_light:
        raise PermissionDenied("Light agents can add internal notes only.")
    wanted = sorted({name.strip().lower()[:60] for name in names if name.strip()})
    before = sorted(conversation.tags.values_list("name", flat=True))
    if before == wanted:
        return
    with transaction.atomic():
        tags = [Tag.objects.get_or_create(name=name)[0] for name in wanted]
        conversation.tags.set(tags)
        Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
        record_event(
            Event.Kind.TAGS_CHANGED,
            actor=by,
            conversation=conversation,
            before={"tags": before},
            after={"tags": wanted},
        )


def clean_custom_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Check values against the admin-defined fields; raise ValidationError naming the bad ones."""
    fields = {field.key: field for field in CustomField.objects.filter(is_active=True)}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in values.items():
        field = fields.get(key)
        if field is None:
            errors[key] = "Unknown field."
            continue
        if value in (None, ""):
            cleaned[key] = None
            continue
        try:
            if field.type == CustomField.Type.NUMBER:
                cleaned[key] = float(value) if "." in str(value) else int(value)
            elif field.type == CustomField.Type.BOOLEAN:
                if isinstance(value, bool):
                    cleaned[key] = value
                elif str(value).lower() in ("true", "1", "yes", "on"):
                    cleaned[key] = True
                elif str(value).lower() in ("false", "0", "no", "off"):
                    cleaned[key] = False
                else:
                    raise ValueError
            elif field.type == CustomField.Type.DATE:
                cleaned[key] = datetime.fromisoformat(str(value)).date().isoformat()
            elif field.type == CustomField.Type.CHOICE:
                if value not in field.choices:
                    errors[key] = f"Choose one of: {', '.join(map(str, field.choices))}."
                    continue
                cleaned[key] = value
            else:
                cleaned[key] = str(value)[:2000]
        except (TypeError, ValueError):
            errors[key] = f"Not a valid {field.get_type_display().lower()}."
    if errors:
        raise ValidationError(errors)
    return cleaned


def set_custom_fields(conversation: Conversation, values: dict[str, Any], *, by: Agent | None) -> None:
    if by is not None and by.is_light:
        raise PermissionDenied("Light agents can add internal notes only.")
    cleaned = clean_custom_fields(values)
    before = dict(conversation.custom_fields)
    after = {**before, **cleaned}
    after = {key: value for key, value in after.items() if value is not None}
    if before == after:
        return
    with transaction.atomic():
        conversation.custom_fields = after
        conversation.save(update_fields=["custom_fields", "updated_at"])
        record_event(
            Event.Kind.FIELDS_CHANGED,
            actor=by,
            conversation=conversation,
            before={"custom_fields": before},
            after={"custom_fields": after},
        )


# --- merge and split --------------------------------------------------------------


def merge_conversations(source: Conversation, *, into: Conversation, by: Agent) -> Conversation:
    """Move every message of `source` into `into`, and close `source` pointing at it."""
    if by.is_light:
        raise PermissionDenied("Light agents cannot merge conversations.")
    if source.pk == into.pk:
        raise ValidationError("A conversation cannot be merged into itself.")
    with transaction.atomic():
        moved = Message.objects.filter(conversation=source).update(conversation=into)
        last = into.messages.order_by("-created_at").values_list("created_at", flat=True).first()
        Conversation.objects.filter(pk=into.pk).update(
            message_count=F("message_count") + moved,
            last_message_at=last or into.last_message_at,
            updated_at=timezone.now(),
        )
        source.merged_into = into
        source.status = Conversation.Status.CLOSED
        source.closed_at = timezone.now()
        source.message_count = 0
        source.save(update_fields=["merged_into", "status", "closed_at", "message_count", "updated_at"])
        record_event(
            Event.Kind.MERGED,
            actor=by,
            conversation=into,
            before={"from": source.number},
            after={"into": into.number, "messages": moved},
        )
        record_event(
            Event.Kind.MERGED,
            actor=by,
            conversation=source,
            before={"from": source.number},
            after={"into": into.number, "messages": moved},
        )
    into.refresh_from_db()
    return into


def split_message(message: Message, *, by: Agent, subject: str = "") -> Conversation:
    """Move one message, and everything after it from the same author, into a new conversation."""
    if by.is_light:
        raise PermissionDenied("Light agents cannot split conversations.")
    source = message.conversation
    if source.messages.count() < 2:
        raise ValidationError("A conversation with one message cannot be split.")
    with transaction.atomic():
        new = Conversation.objects.create(
            number=next_value("conversation"),
            subject=(subject or source.subject)[:300],
            channel=message.channel,
            customer=message.author_customer or source.customer,
            team=source.team,
            priority=source.priority,
            status=Conversation.Status.OPEN,
            last_message_at=message.created_at,
            last_inbound_at=message.created_at if message.direction == Message.Direction.INBOUND else None,
            waiting_since=message.created_at if message.direction == Message.Direction.INBOUND else None,
            message_count=1,
        )
        Message.objects.filter(pk=message.pk).update(conversation=new)
        remaining = source.messages.order_by("-created_at").values_list("created_at", flat=True)
        Conversation.objects.filter(pk=source.pk).update(
            message_count=F("message_count") - 1,
            last_message_at=remaining.first() or source.last_message_at,
            updated_at=timezone.now(),
        )
        record_event(
            Event.Kind.SPLIT, actor=by, conversation=source, after={"new": new.number, "message": message.pk}
        )
        record_event(
            Event.Kind.SPLIT,
            actor=by,
            conversation=new,
            before={"from": source.number},
            after={"new": new.number},
        )
    return new


# --- workspace: composer, drafts, macros, saved views, bulk actions --------------------


class StaleDraftError(Exception):
    """The customer wrote again after the agent last looked: read it before sending."""

    def __init__(self, unseen: list[Message]) -> None:
        super().__init__("The customer wrote again while you were drafting.")
        self.unseen = unseen


def unseen_inbound_messages(conversation: Conversation, seen_message_id: int | None) -> list[Message]:
    """Customer messages newer than the last one the agent saw."""
    if seen_message_id is None:
        return []
    return list(
        conversation.messages.filter(direction=Message.Direction.INBOUND, id__gt=seen_message_id)
        .select_related("author_customer")
        .order_by("id")
    )


def save_draft(
    conversation: Conversation, *, by: Agent, text: str, kind: str, seen_message_id: int | None
) -> Draft:
    """Keep the agent's unsent text; one draft per agent and conversation."""
    if kind not in (Message.Kind.REPLY, Message.Kind.NOTE):
        raise ValidationError("A draft is a reply or a note.")
    if kind == Message.Kind.REPLY and not by.can_reply:
        kind = Message.Kind.NOTE
    draft, _ = Draft.objects.update_or_create(
        conversation=conversation,
        agent=by,
        defaults={"text": text, "kind": kind, "seen_message_id": seen_message_id},
    )
    return draft


def discard_draft(conversation: Conversation, *, by: Agent) -> None:
    Draft.objects.filter(conversation=conversation, agent=by).delete()


def send_from_composer(
    conversation: Conversation,
    *,
    by: Agent,
    kind: str,
    text: str,
    seen_message_id: int | None,
    status: str = "",
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """Send a reply or add a note, then set the status; the draft goes away.

    A reply written before the customer's latest message is refused once (StaleDraftError),
    with the draft kept and marked as having seen that message, so the next send goes through.
    """
    if kind == Message.Kind.REPLY:
        if not by.can_reply:
            raise PermissionDenied("Light agents can add internal notes, not replies.")
        unseen = unseen_inbound_messages(conversation, seen_message_id)
        if unseen:
            save_draft(conversation, by=by, text=text, kind=kind, seen_message_id=unseen[-1].pk)
            raise StaleDraftError(unseen)
        with transaction.atomic():
            message = add_reply(
                conversation, by=by, text=text, status=status or None, attachments=attachments
            )
            discard_draft(conversation, by=by)
        return message
    if kind in (Message.Kind.PHONE, Message.Kind.WALK_IN):
        if not text.strip():
            raise ValidationError("Write down what was said.")
        with transaction.atomic():
            _conversation, message = log_contact(
                by=by, customer=conversation.customer, kind=kind, text=text, conversation=conversation
            )
            if status:
                conversation.refresh_from_db()
                change_status(conversation, status, by=by)
            discard_draft(conversation, by=by)
        return message
    if kind != Message.Kind.NOTE:
        raise ValidationError(f"Unknown message kind {kind!r}.")
    with transaction.atomic():
        message = add_note(conversation, by=by, text=text, attachments=attachments)
        if status:
            change_status(conversation, status, by=by)
        discard_draft(conversation, by=by)
    return message


def render_macro(macro: Macro, *, conversation: Conversation, agent: Agent) -> str:
    """Macro text with its placeholders filled for this conversation and agent."""
    values = {
        "{customer_name}": conversation.customer.greeting_name or "there",
        "{customer_full_name}": conversation.customer.name,
        "{agent_name}": agent.display_name,
        "{conversation_number}": str(conversation.number),
    }
    text = macro.text
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def save_view(*, owner: Agent, name: str, filters: dict[str, Any], sort: str, is_shared: bool) -> SavedView:
    name = name.strip()
    if not name:
        raise ValidationError("A view needs a name.")
    if is_shared and not owner.is_admin:
        raise PermissionDenied("Only admins share views with everyone.")
    return SavedView.objects.create(
        owner=owner, name=name[:80], filters=filters, sort=sort, is_shared=is_shared
    )


def delete_view(view: SavedView, *, by: Agent) -> None:
    if view.owner_id != by.pk and not by.is_admin:
        raise PermissionDenied("Only the owner deletes a view.")
    view.delete()


def add_tag(conversation: Conversation, name: str, *, by: Agent | None) -> None:
    current = list(conversation.tags.values_list("name", flat=True))
    set_tags(conversation, [*current, name], by=by)


@dataclass
class BulkResult:
    changed: int = 0
    errors: list[str] | None = None


def apply_bulk_action(
    conversations: Sequence[Conversation],
    *,
    by: Agent,
    action: str,
    assignee: Agent | None = None,
    tag: str = "",
    status: str = "",
) -> BulkResult:
    """One action on many conversations; each goes through its own service and event."""
    if by.is_light:
        raise PermissionDenied("Light agents can add internal notes only.")
    result = BulkResult(errors=[])
    if action == "merge":
        if len(conversations) < 2:
            raise ValidationError("Choose at least two conversations to merge.")
        target = max(conversations, key=lambda item: (item.last_message_at, item.pk))
        for source in conversations:
            if source.pk != target.pk:
                merge_conversations(source, into=target, by=by)
                result.changed += 1
        return result
    for conversation in conversations:
        if action == "assign":
            assign_conversation(conversation, to=assignee, by=by)
        elif action == "tag":
            if not tag.strip():
                raise ValidationError("Name the tag to add.")
            add_tag(conversation, tag, by=by)
        elif action == "status":
            change_status(conversation, status, by=by)
        else:
            raise ValidationError(f"Unknown bulk action {action!r}.")
        result.changed += 1
    return result
