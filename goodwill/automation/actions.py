"""Actions a rule takes, each through the conversation services (so each change is audited).

An action row is ``{"type": …, "value": …}``; values arrive as text from the form. `check`
refuses a row that cannot run, `describe` says what it would do (for "what would this do?"),
`perform` does it as the system (``by=None``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from goodwill.accounts.models import Agent, Team
from goodwill.accounts.notifications import notify, notify_leads
from goodwill.conversations import services
from goodwill.conversations.models import ContactReason, Conversation, Macro, Message

# type → (label, help for the value)
ACTIONS: dict[str, tuple[str, str]] = {
    "assign_agent": ("Assign to agent", "agent email"),
    "assign_team": ("Assign to team (and pick an agent by its assignment policy)", "team name or slug"),
    "auto_assign": ("Pick an agent by the team's assignment policy", "leave empty"),
    "set_status": ("Set status", "new, open, pending, on_hold, solved, closed"),
    "set_priority": ("Set priority", "1 low, 2 normal, 3 high, 4 urgent"),
    "set_need": ("Set need", "name of the need"),
    "add_tags": ("Add tags", "tags, comma separated"),
    "remove_tags": ("Remove tags", "tags, comma separated"),
    "set_field": ("Set custom field", "key=value"),
    "add_note": ("Add internal note", "the note's text"),
    "send_macro": ("Send macro reply", "macro name"),
    "notify": ("Notify", "assignee, team leads, or an agent email"),
    "call_webhook": ("Call webhook", "webhook name"),
}
NO_VALUE = ("auto_assign",)


def _agent(value: str) -> Agent:
    agent = (
        Agent.objects.filter(email__iexact=value.strip(), is_active=True)
        .exclude(role=Agent.Role.LIGHT)
        .first()
    )
    if agent is None:
        raise ValidationError(f"No active agent with the email “{value}”.")
    return agent


def _team(value: str) -> Team:
    team = Team.objects.filter(Q(name__iexact=value.strip()) | Q(slug__iexact=value.strip())).first()
    if team is None:
        raise ValidationError(f"No team called “{value}”.")
    return team


def _need(value: str) -> ContactReason:
    need = ContactReason.objects.filter(name__iexact=value.strip(), is_active=True).first()
    if need is None:
        raise ValidationError(f"No need called “{value}”.")
    return need


def _macro(value: str) -> Macro:
    macro = Macro.objects.filter(name__iexact=value.strip(), is_active=True, owner__isnull=True).first()
    if macro is None:
        raise ValidationError(f"No shared macro called “{value}”.")
    return macro


def _webhook(value: str) -> Any:
    from goodwill.webhooks.models import Webhook

    webhook = Webhook.objects.filter(name__iexact=value.strip()).first()
    if webhook is None:
        raise ValidationError(f"No webhook called “{value}”.")
    return webhook


def _tags(value: str) -> list[str]:
    return [tag.strip().lower() for tag in value.split(",") if tag.strip()]


def check(action: dict[str, Any]) -> None:  # noqa: C901 - one branch per type
    """Raise ValidationError, naming the problem, when the row could not run."""
    kind, value = action.get("type", ""), str(action.get("value", "")).strip()
    if kind not in ACTIONS:
        raise ValidationError(f"Unknown action {kind!r}.")
    label = ACTIONS[kind][0]
    if kind in NO_VALUE:
        return
    if not value:
        raise ValidationError(f"{label}: a value is needed.")
    if kind == "assign_agent":
        _agent(value)
    elif kind == "assign_team":
        _team(value)
    elif kind == "set_status" and value not in Conversation.Status.values:
        raise ValidationError(f"{label}: choose one of {', '.join(Conversation.Status.values)}.")
    elif kind == "set_priority" and value not in {str(v) for v in Conversation.Priority.values}:
        raise ValidationError(f"{label}: choose 1, 2, 3 or 4.")
    elif kind == "set_need":
        _need(value)
    elif kind == "set_field":
        key, sep, field_value = value.partition("=")
        if not sep:
            raise ValidationError(f"{label}: write key=value.")
        services.clean_custom_fields({key.strip(): field_value.strip()})
    elif kind == "send_macro":
        _macro(value)
    elif kind == "call_webhook":
        _webhook(value)
    elif kind == "notify" and value.lower() not in ("assignee", "team leads"):
        _agent(value)


def describe(action: dict[str, Any]) -> str:
    label = ACTIONS.get(action.get("type", ""), (action.get("type", "?"), ""))[0]
    value = str(action.get("value", "")).strip()
    return f"{label}: {value}" if value else label


def perform(action: dict[str, Any], conversation: Conversation, *, rule_name: str, run_id: int) -> str:  # noqa: C901
    """Do it, as the system; returns one line for the run's log. Raises ValidationError when it cannot."""
    kind, value = action.get("type", ""), str(action.get("value", "")).strip()
    check(action)
    if kind == "assign_agent":
        services.assign_conversation(conversation, to=_agent(value), by=None)
    elif kind == "assign_team":
        services.set_team(conversation, _team(value), by=None)
        return _auto_assign(conversation, describe(action))
    elif kind == "auto_assign":
        return _auto_assign(conversation, describe(action))
    elif kind == "set_status":
        services.change_status(conversation, value, by=None)
    elif kind == "set_priority":
        services.set_priority(conversation, int(value), by=None)
    elif kind == "set_need":
        services.set_need(conversation, _need(value), by=None)
    elif kind in ("add_tags", "remove_tags"):
        current = set(conversation.tags.values_list("name", flat=True))
        wanted = current | set(_tags(value)) if kind == "add_tags" else current - set(_tags(value))
        services.set_tags(conversation, wanted, by=None)
    elif kind == "set_field":
        key, _sep, field_value = value.partition("=")
        services.set_custom_fields(conversation, {key.strip(): field_value.strip()}, by=None)
    elif kind == "add_note":
        services.add_note(conversation, by=None, text=f"{value}\n\n— rule “{rule_name}”")
    elif kind == "send_macro":
        _send_macro(conversation, _macro(value))
    elif kind == "notify":
        _notify(conversation, value, rule_name=rule_name, run_id=run_id)
    elif kind == "call_webhook":
        from goodwill.webhooks.services import queue_rule_call

        queue_rule_call(_webhook(value), conversation, rule_name=rule_name, run_id=run_id)
    return describe(action)


def _auto_assign(conversation: Conversation, line: str) -> str:
    from goodwill.automation.assignment import assign_by_policy

    agent = assign_by_policy(conversation)
    return f"{line} → {agent.display_name}" if agent else f"{line} → nobody available"


def _send_macro(conversation: Conversation, macro: Macro) -> None:
    team = conversation.team.name if conversation.team_id and conversation.team else "The support team"
    sender = SimpleNamespace(display_name=team)  # a rule writes as the team
    text = services.render_macro(macro, conversation=conversation, agent=sender)  # type: ignore[arg-type]
    if macro.kind == Message.Kind.NOTE:
        services.add_note(conversation, by=None, text=text)
        if macro.set_status:
            services.change_status(conversation, macro.set_status, by=None)
        return
    services.add_reply(conversation, by=None, text=text, status=macro.set_status or None)  # type: ignore[arg-type]


def _notify(conversation: Conversation, value: str, *, rule_name: str, run_id: int) -> None:
    notice: dict[str, Any] = {
        "key": f"rule:{run_id}",
        "kind": "automation",
        "title": f"{rule_name}: #{conversation.number} {conversation.subject}"[:300],
        "url": reverse("conversations:detail", args=[conversation.number]),
        "email": True,
    }
    target = value.lower()
    if target == "assignee":
        if conversation.assignee_id and conversation.assignee:
            notify([conversation.assignee], **notice)
    elif target == "team leads":
        notify_leads(conversation.team, **notice)
    else:
        notify([_agent(value)], **notice)
