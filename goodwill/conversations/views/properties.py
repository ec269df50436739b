"""The properties panel of the conversation page: show it, and save an agent's edits to it.

The form carries, beside each field, the value the agent started from (`original_<name>`).
A save applies only the fields this agent changed, so a form showing an older state never
puts back values someone else has changed since. When someone else changed one of those
same fields meanwhile, that field is not saved: the panel comes back showing their value and
says so (409), and the agent decides again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.policy import Action, allows, require
from goodwill.conversations import counts, selectors, services
from goodwill.conversations.forms import PropertiesForm
from goodwill.conversations.markers import state_marker
from goodwill.conversations.models import ContactReason, Conversation, CustomField
from goodwill.conversations.panels import shared
from goodwill.conversations.views.common import (
    agent_from_choice,
    assignable_agents,
    conversation_url,
    current_agent,
)
from goodwill.core.http import HtmxHttpRequest
from goodwill.core.models import Event

FIELDS = ("status", "priority", "assignee", "team", "need", "need_met", "tags", "subject")
LABELS = {"need_met": "Need met"}
EVENT_KINDS = {
    "status": Event.Kind.STATUS_CHANGED,
    "priority": Event.Kind.PRIORITY_CHANGED,
    "assignee": Event.Kind.ASSIGNED,
    "team": Event.Kind.TEAM_CHANGED,
    "need": Event.Kind.NEED_CHANGED,
    "need_met": Event.Kind.NEED_MET_CHANGED,
    "tags": Event.Kind.TAGS_CHANGED,
    "subject": Event.Kind.SUBJECT_CHANGED,
}


def custom_text(value: Any) -> str:
    """A custom field's value as the form shows and sends it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown_values(conversation: Conversation, custom_fields: list[CustomField]) -> dict[str, str]:
    """Every editable field as text, the way the form shows it: what an edit starts from."""
    values = {
        "status": conversation.status,
        "priority": str(conversation.priority),
        "assignee": conversation.assignee.email if conversation.assignee else "",
        "team": str(conversation.team_id or ""),
        "need": str(conversation.need_id or ""),
        "need_met": conversation.need_met or "",
        "tags": ", ".join(sorted(tag.name for tag in conversation.tags.all())),
        "subject": conversation.subject,
    }
    for field in custom_fields:
        values[f"cf_{field.key}"] = custom_text(conversation.custom_fields.get(field.key))
    return values


def _normal(name: str, text: str) -> str:
    """Two texts of a field compare equal when they mean the same value."""
    text = (text or "").strip()
    if name == "assignee":
        text = text.lower()
        return "" if text in ("nobody", "none") else text
    if name == "tags":
        return ", ".join(sorted({tag.strip().lower() for tag in text.split(",") if tag.strip()}))
    return text


def properties_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    """What the properties panel needs."""
    custom_fields = list(CustomField.objects.filter(is_active=True))
    shown = shown_values(conversation, custom_fields)
    return {
        "conversation": conversation,
        "can_edit": allows(current_agent(request), Action.EDIT_PROPERTIES),
        "statuses": Conversation.Status.choices,
        "priorities": Conversation.Priority.choices,
        "need_met_choices": Conversation.NeedMet.choices,
        "teams": shared(request, "accounts.teams", lambda: list(Team.objects.all())),
        "agents": assignable_agents(),
        "needs": list(ContactReason.objects.filter(is_active=True).select_related("parent")),
        "tags_text": shown["tags"],
        "custom_fields": [
            {
                "field": field,
                "value": conversation.custom_fields.get(field.key, ""),
                "text": shown[f"cf_{field.key}"],
            }
            for field in custom_fields
        ],
        # Posted back with each edit (the subject is not edited in the panel).
        "originals": {name: text for name, text in shown.items() if name != "subject"},
        "state_marker": state_marker(conversation),
    }


@dataclass
class EditOutcome:
    error: str = ""
    # Fields someone else changed meanwhile: "Status: Tess Teammate set it to Pending."
    conflicts: list[str] | None = None


def changed_fields(form: PropertiesForm, posted: QueryDict) -> list[str]:
    """The fields this agent changed: sent, and different from the value they started from.

    A field sent without its original (a script, an older page) counts as changed, as before.
    """
    names = [*FIELDS, *(f"cf_{field.key}" for field in form.custom_fields)]
    changed = []
    for name in names:
        if name not in posted:
            continue
        original = posted.get(f"original_{name}")
        if original is None or _normal(name, posted.get(name, "")) != _normal(name, original):
            changed.append(name)
    return changed


def _label_of(conversation: Conversation, name: str, text: str) -> str:
    """A field's current value as a person reads it."""
    if name == "status":
        return str(conversation.get_status_display())
    if name == "priority":
        return str(conversation.get_priority_display())
    if name == "need_met":
        return str(conversation.get_need_met_display()) if conversation.need_met else "not yet known"
    if name == "assignee":
        return conversation.assignee.display_name if conversation.assignee else "nobody"
    if name == "team":
        return str(conversation.team) if conversation.team else "no team"
    if name == "need":
        return str(conversation.need) if conversation.need else "not set"
    return text or "nothing"


def _conflict_note(conversation: Conversation, name: str, form: PropertiesForm, text: str) -> str:
    kind = EVENT_KINDS.get(name, Event.Kind.FIELDS_CHANGED)
    event = (
        Event.objects.filter(conversation=conversation, kind=kind)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    who = event.actor.display_name if event and event.actor else "Someone else"
    label = form.fields[name].label or LABELS.get(name, name.replace("_", " ").capitalize())
    value = _label_of(conversation, name, text)
    return f"{label}: {who} changed it to “{value}” meanwhile; yours was not saved."


def apply_edit(
    conversation: Conversation, form: PropertiesForm, posted: QueryDict, agent: Agent
) -> EditOutcome:
    """Save the fields this agent changed, all or nothing, unless someone else changed them first."""
    changed = changed_fields(form, posted)
    if not changed:
        return EditOutcome()
    with transaction.atomic():
        # Locked, so nobody changes the row between this check and the writes below.
        current = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("assignee", "team", "need", "customer")
            .get(pk=conversation.pk)
        )
        now = shown_values(current, form.custom_fields)
        conflicts, apply = [], []
        for name in changed:
            original = posted.get(f"original_{name}")
            mine = _normal(name, posted.get(name, ""))
            theirs = _normal(name, now.get(name, ""))
            if original is not None and theirs != _normal(name, original) and theirs != mine:
                conflicts.append(_conflict_note(current, name, form, now.get(name, "")))
            else:
                apply.append(name)
        _apply_fields(current, form.cleaned_data, apply, agent)
    return EditOutcome(conflicts=conflicts)


def _apply_fields(conversation: Conversation, data: dict[str, Any], names: list[str], agent: Agent) -> None:
    """Hand the named fields to `update_properties`, the one dispatcher the API uses too."""
    changes: dict[str, Any] = {}
    for name in ("subject", "status", "priority"):
        if name in names and data[name]:
            changes[name] = data[name]
    if "assignee" in names:
        changes["assignee"] = agent_from_choice(data["assignee"])
    for name in ("team", "need", "need_met"):
        if name in names:
            changes[name] = data[name]
    if "tags" in names:
        changes["tags"] = data["tags"].split(",")
    custom = {name[3:]: data[name] for name in names if name.startswith("cf_")}
    if custom:
        changes["custom_fields"] = custom
    services.update_properties(conversation, changes, by=agent)


def _form_errors(form: PropertiesForm) -> str:
    return "; ".join(
        f"{form.fields[name].label or name.title() if name in form.fields else name}: "
        f"{' '.join(str(error) for error in errors)}"
        for name, errors in form.errors.items()
    )


@login_required
@require_POST
def update_properties(request: HtmxHttpRequest, number: int) -> HttpResponse:
    agent = current_agent(request)
    conversation = selectors.get_conversation_for(agent, number)
    require(agent, Action.EDIT_PROPERTIES)
    form = PropertiesForm(request.POST)
    outcome = EditOutcome()
    if form.is_valid():
        try:
            outcome = apply_edit(conversation, form, request.POST, agent)
        except ValidationError as problem:
            outcome = EditOutcome(error=" ".join(problem.messages))
    else:
        outcome = EditOutcome(error=_form_errors(form))
    counts.forget_view_counts(agent)
    if request.htmx:
        conversation = selectors.get_conversation_for(agent, number)
        context = {
            **properties_context(request, conversation),
            "properties_error": outcome.error,
            "properties_conflicts": outcome.conflicts or [],
        }
        status = 409 if outcome.conflicts else 200
        response = render(request, "conversations/detail.html#properties", context, status=status)
        response["HX-Trigger"] = "goodwill:new-message"
        return response
    if outcome.error:
        flash.error(request, f"Not saved: {outcome.error}")
    elif outcome.conflicts:
        flash.error(request, " ".join(outcome.conflicts))
    else:
        flash.success(request, "Saved.")
    return redirect(conversation_url(conversation))
