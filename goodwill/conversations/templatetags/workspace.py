"""Small template helpers of the agent workspace."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.core.models import Event

register = template.Library()

STATUS_LABELS = dict(Conversation.Status.choices)
PRIORITY_LABELS = dict(Conversation.Priority.choices)
NEED_MET_LABELS = dict(Conversation.NeedMet.choices)


def format_short(local: datetime, today: date) -> str:
    """ "14:05" today, "3 Mar" this year, "3 Mar 2024" before; `local` already in the zone."""
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b %Y')}"


def format_long(local: datetime) -> str:
    return f"{local.day} {local.strftime('%b %Y, %H:%M')} {local.tzname() or ''}".strip()


@register.filter
def short_time(value: datetime | None) -> str:
    """A time in the agent's zone, as short as is clear."""
    if value is None:
        return ""
    return format_short(timezone.localtime(value), timezone.localdate())


@register.filter
def long_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_long(timezone.localtime(value))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "") if mapping else ""


@register.filter
def size(value: int) -> str:
    return filesizeformat(value)


def _label(field: str, value: Any) -> str:
    if value in (None, "", []):
        return "nothing"
    if field == "status":
        return str(STATUS_LABELS.get(value, value))
    if field == "priority":
        return str(PRIORITY_LABELS.get(value, value))
    if field == "need_met":
        return str(NEED_MET_LABELS.get(value, value))
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


@register.filter
def describe_event(event: Event) -> str:
    """One line for the audit trail: what changed, from what, to what."""
    before = event.before or {}
    after = event.after or {}
    kind = event.kind
    if kind == Event.Kind.STATUS_CHANGED:
        return f"changed the status from {_label('status', before.get('status'))} to {_label('status', after.get('status'))}"
    if kind == Event.Kind.PRIORITY_CHANGED:
        return (
            f"changed the priority from {_label('priority', before.get('priority'))} "
            f"to {_label('priority', after.get('priority'))}"
        )
    if kind == Event.Kind.ASSIGNED:
        return f"assigned it to {after.get('name')}" if after.get("name") else "unassigned it"
    if kind == Event.Kind.TEAM_CHANGED:
        return f"moved it to team {after.get('name')}" if after.get("name") else "removed the team"
    if kind == Event.Kind.TAGS_CHANGED:
        return f"changed the tags from {_label('tags', before.get('tags'))} to {_label('tags', after.get('tags'))}"
    if kind == Event.Kind.NEED_CHANGED:
        return f"set the need to {after.get('name')}" if after.get("name") else "cleared the need"
    if kind == Event.Kind.NEED_MET_CHANGED:
        return f"marked the need as met: {_label('need_met', after.get('need_met'))}"
    if kind == Event.Kind.SUBJECT_CHANGED:
        return f"renamed it from “{before.get('subject', '')}” to “{after.get('subject', '')}”"
    if kind == Event.Kind.FIELDS_CHANGED:
        old = before.get("custom_fields") or {}
        new = after.get("custom_fields") or {}
        changed = sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))
        return "changed " + ", ".join(f"{key} to {_label(key, new.get(key))}" for key in changed)
    if kind == Event.Kind.MERGED:
        return f"merged #{before.get('from')} into #{after.get('into')}"
    if kind == Event.Kind.SPLIT:
        if before.get("from"):
            return f"split this out of #{before.get('from')}"
        return f"split a message out into #{after.get('new')}"
    if kind == Event.Kind.CONVERSATION_OPENED:
        return "opened the conversation"
    return event.get_kind_display().lower()
