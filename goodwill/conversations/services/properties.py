"""Field changes on a conversation: status, assignee, priority, team, subject, need, tags, custom fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import (
    ContactReason,
    Conversation,
    CustomField,
    Tag,
)
from goodwill.conversations.selectors import restricted_team_ids_hidden_from
from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.core.text import one_line


def change_status(conversation: Conversation, status: str, *, by: Agent | None) -> None:
    if status not in Conversation.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    require(by, Action.CHANGE_STATUS)
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
    require(by, Action.ASSIGN)
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
    require(by, Action.EDIT_PROPERTIES)
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


def check_team_for(agent: Agent | None, team: Team | None) -> None:
    """The one rule for filing a conversation under a team, for every door (form, API, services).

    A restricted team the agent is not in does not exist for them: they cannot see its
    conversations, so they cannot move one into it either. Admins see every team; None is the system.
    """
    if agent is not None and team is not None and team.pk in restricted_team_ids_hidden_from(agent):
        raise ValidationError({"team": "No such team."})


def set_team(conversation: Conversation, team: Team | None, *, by: Agent | None) -> None:
    """File the conversation under `team` (None: no team). Raises ValidationError for a team `by` cannot see."""
    require(by, Action.EDIT_PROPERTIES)
    check_team_for(by, team)
    _simple_change(
        conversation, "team_id", team.pk if team else None, Event.Kind.TEAM_CHANGED, by, str(team or "")
    )


def set_subject(conversation: Conversation, subject: str, *, by: Agent | None) -> None:
    """Rename the conversation; the subject is made one line (it goes into mail headers)."""
    subject = one_line(subject, 300)
    if not subject:
        raise ValidationError("The subject cannot be empty.")
    _simple_change(conversation, "subject", subject, Event.Kind.SUBJECT_CHANGED, by)


def set_need(conversation: Conversation, need: ContactReason | None, *, by: Agent | None) -> None:
    _simple_change(
        conversation, "need_id", need.pk if need else None, Event.Kind.NEED_CHANGED, by, str(need or "")
    )


def set_need_met(conversation: Conversation, need_met: str, *, by: Agent | None) -> None:
    if need_met and need_met not in Conversation.NeedMet.values:
        raise ValidationError(f"Unknown need-met value {need_met!r}.")
    _simple_change(conversation, "need_met", need_met, Event.Kind.NEED_MET_CHANGED, by)


def set_tags(conversation: Conversation, names: Iterable[str], *, by: Agent | None) -> None:
    require(by, Action.EDIT_PROPERTIES)
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
    require(by, Action.EDIT_PROPERTIES)
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


# --- several at once: the properties panel and the API's PATCH ---------------------

NOT_NULL = ("subject", "status", "priority", "need_met", "tags", "custom_fields")
# The order changes are applied in. Status comes last, so a status given with an assignee
# wins over the "new becomes open" that assigning does.
PROPERTIES = (
    "subject",
    "priority",
    "team",
    "need",
    "need_met",
    "tags",
    "custom_fields",
    "assignee",
    "status",
)


def update_properties(conversation: Conversation, changes: dict[str, Any], *, by: Agent | None) -> None:
    """Change several properties of a conversation at once: all of them, or none.

    `changes` maps a property name to its new value; only the names given change, a value
    equal to the current one is skipped, and each change writes its own event:

    - ``subject``: text, not empty
    - ``status``: a `Conversation.Status` value, applied last; the status the conversation
      had before the call counts as no change (a form sends every field: assigning a new
      conversation through it still opens it)
    - ``priority``: a `Conversation.Priority` value (an int)
    - ``assignee``: an `Agent`, an agent id, or None to unassign
    - ``team``: a `Team`, a team id, or None
    - ``need``: a `ContactReason`, an id of an active one, or None
    - ``need_met``: ``"yes"``, ``"partly"``, ``"no"`` or ``""``
    - ``tags``: tag names; they replace all tags
    - ``custom_fields``: ``{key: value}`` merged into the current values; None clears one

    `by` is the agent making the change (None: the system). Caller has checked that `by` may
    see the conversation.

    Raises `ValidationError` with an error dict, one message per bad property (a custom field's
    errors under its own key), after trying every change, and changes nothing then; raises
    `PermissionDenied` (from `accounts.policy`) when `by` may not change one of them.
    """
    refused = {name: "Unknown property." for name in changes if name not in PROPERTIES}
    refused |= {name: "May not be null." for name in NOT_NULL if name in changes and changes[name] is None}
    if refused:
        raise ValidationError(refused)
    errors: dict[str, list[str]] = {}
    status_before = conversation.status
    try:
        with transaction.atomic():
            for name in PROPERTIES:
                if name == "status" and changes.get(name) == status_before:
                    continue  # not a change asked for: leave what the other changes did to it
                if name in changes:
                    try:
                        _SETTERS[name](conversation, changes[name], by)
                    except ValidationError as error:
                        problems = (
                            error.message_dict if hasattr(error, "error_dict") else {name: error.messages}
                        )
                        for key, messages in problems.items():
                            errors.setdefault(key, []).extend(messages)
            if errors:
                raise ValidationError(errors)  # rolls back the changes already made
    except Exception:
        conversation.refresh_from_db()  # the in-memory row may hold values that were rolled back
        raise


def _row(model: type[Any], value: Any, field: str, missing: str, **filters: Any) -> Any:
    """`value` as a row of `model`: a row as it is, an id looked up, None as None."""
    if value is None or isinstance(value, model):
        return value
    found = model.objects.filter(pk=value, **filters).first() if isinstance(value, int) else None
    if found is None:
        raise ValidationError({field: missing})
    return found


def _set_assignee(conversation: Conversation, value: Any, by: Agent | None) -> None:
    assign_conversation(conversation, to=_row(Agent, value, "assignee", "No such agent."), by=by)


def _set_team(conversation: Conversation, value: Any, by: Agent | None) -> None:
    set_team(conversation, _row(Team, value, "team", "No such team."), by=by)


def _set_need(conversation: Conversation, value: Any, by: Agent | None) -> None:
    need = _row(ContactReason, value, "need", "No such contact reason.", is_active=True)
    set_need(conversation, need, by=by)


def _set_tags(conversation: Conversation, value: Any, by: Agent | None) -> None:
    set_tags(conversation, [value] if isinstance(value, str) else value, by=by)


_SETTERS: dict[str, Any] = {
    "subject": lambda conversation, value, by: set_subject(conversation, value, by=by),
    "priority": lambda conversation, value, by: set_priority(conversation, value, by=by),
    "team": _set_team,
    "need": _set_need,
    "need_met": lambda conversation, value, by: set_need_met(conversation, value, by=by),
    "tags": _set_tags,
    "custom_fields": lambda conversation, value, by: set_custom_fields(conversation, value, by=by),
    "assignee": _set_assignee,
    "status": lambda conversation, value, by: change_status(conversation, value, by=by),
}
