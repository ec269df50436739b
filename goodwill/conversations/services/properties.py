"""Field changes on a conversation: status, assignee, priority, team, subject, need, tags, custom fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import (
    ContactReason,
    Conversation,
    CustomField,
    Tag,
)
from goodwill.core.models import Event
from goodwill.core.services import record_event


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
