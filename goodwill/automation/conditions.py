"""Conditions of a rule: which facts of a conversation a rule can test, and how.

A condition row is ``{"field": …, "op": …, "value": …}``; every value arrives as text from
the form. `evaluate` answers each row with whether it matched and what the conversation had,
so "what would this do?" can show why.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from goodwill.automation.models import Rule
from goodwill.conversations.models import Conversation, Message
from goodwill.core.models import Event

_EMAIL_MESSAGE = ("email", "EmailDetails")  # app label, model: read by name, never imported
IS, IS_NOT, CONTAINS, NOT_CONTAINS = "is", "is_not", "contains", "not_contains"
IS_SET, IS_NOT_SET, MORE_THAN, LESS_THAN = "is_set", "is_not_set", "more_than", "less_than"
OPS = {
    IS: "is",
    IS_NOT: "is not",
    CONTAINS: "contains",
    NOT_CONTAINS: "does not contain",
    IS_SET: "is set",
    IS_NOT_SET: "is not set",
    MORE_THAN: "is more than",
    LESS_THAN: "is less than",
}
NO_VALUE = (IS_SET, IS_NOT_SET)
_CHOICE = (IS, IS_NOT, IS_SET, IS_NOT_SET)
_TEXT = (IS, IS_NOT, CONTAINS, NOT_CONTAINS, IS_SET, IS_NOT_SET)
_NUMBER = (IS, IS_NOT, MORE_THAN, LESS_THAN)

# field → (label, allowed ops, help for the value)
FIELDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "channel": ("Channel", _CHOICE, "email, portal, phone, walk_in, api…"),
    "mailbox": ("Mailbox (address mail came in on)", _TEXT, "support@example.com"),
    "need": ("Need", _CHOICE, "name of the need"),
    "priority": ("Priority", _NUMBER, "1 low, 2 normal, 3 high, 4 urgent"),
    "status": ("Status", _CHOICE, "new, open, pending, on_hold, solved, closed"),
    "team": ("Team", _CHOICE, "team name or slug"),
    "assignee": ("Assignee", _CHOICE, "agent email"),
    "tags": ("Tags", (CONTAINS, NOT_CONTAINS, IS_SET, IS_NOT_SET), "a tag"),
    "custom_field": ("Custom field", _TEXT + (MORE_THAN, LESS_THAN), "key=value, e.g. plan=gold"),
    "organisation": ("Organisation", _TEXT, "organisation name"),
    "customer_email": ("Customer email", _TEXT, "@example.com"),
    "customer_name": ("Customer name", _TEXT, "a name"),
    "customer_language": ("Customer language", _CHOICE, "en, de, fr…"),
    "customer_internal": ("Customer is internal", (IS,), "yes or no"),
    "subject": ("Subject", _TEXT, "words"),
    "text": ("Latest customer message", (CONTAINS, NOT_CONTAINS), "words; several: a | b"),
    "hours_since_created": ("Hours since created", (MORE_THAN, LESS_THAN), "hours"),
    "hours_since_customer": ("Hours since the customer wrote", (MORE_THAN, LESS_THAN), "hours"),
    "hours_since_update": ("Hours since last message", (MORE_THAN, LESS_THAN), "hours"),
    "hours_since_status": ("Hours in the current status", (MORE_THAN, LESS_THAN), "hours"),
    "business_hours": ("Business hours (the rule's window)", (IS,), "within or outside"),
    "mood": ("Mood (listening)", _CHOICE, "angry, frustrated, upset, delighted…"),
    "sentiment": ("Sentiment (listening, -1..1)", (MORE_THAN, LESS_THAN), "-0.4"),
}


@dataclass
class Facts:
    """What the conditions look at, read lazily (a rule asking nothing costs no query)."""

    conversation: Conversation
    rule: Rule
    event: Event | None = None
    now: datetime = field(default_factory=timezone.now)

    @cached_property
    def tags(self) -> set[str]:
        return {tag.lower() for tag in self.conversation.tags.values_list("name", flat=True)}

    @cached_property
    def customer_text(self) -> str:
        message = (
            self.conversation.messages.filter(direction=Message.Direction.INBOUND)
            .order_by("-created_at", "-id")
            .only("text", "new_text")
            .first()
        )
        return (message.new_text or message.text) if message else ""

    @cached_property
    def mailbox(self) -> str:
        """The address of the mailbox the latest email came in on, found through the email
        channel's models by label (a feature app never imports a channel)."""
        try:
            email_message: Any = apps.get_model(*_EMAIL_MESSAGE)
        except LookupError:
            return ""
        row = (
            email_message.objects.filter(message__conversation=self.conversation, mailbox__isnull=False)
            .order_by("-message__created_at")
            .values_list("mailbox__address", flat=True)
            .first()
        )
        return row or ""

    @cached_property
    def status_since(self) -> datetime:
        changed = (
            Event.objects.filter(conversation=self.conversation, kind=Event.Kind.STATUS_CHANGED)
            .order_by("-created_at", "-id")
            .values_list("created_at", flat=True)
            .first()
        )
        return changed or self.conversation.created_at

    @cached_property
    def mood(self) -> Any:
        from goodwill.listening.models import ConversationMood

        return ConversationMood.objects.filter(conversation=self.conversation).first()

    def value(self, name: str, key: str = "") -> Any:  # noqa: C901 - one branch per field
        conversation = self.conversation
        customer = conversation.customer
        if name == "channel":
            return conversation.channel
        if name == "mailbox":
            return self.mailbox
        if name == "need":
            return conversation.need.name if conversation.need_id and conversation.need else ""
        if name == "priority":
            return conversation.priority
        if name == "status":
            return conversation.status
        if name == "team":
            team = conversation.team
            return (team.name, team.slug) if team else ""
        if name == "assignee":
            return conversation.assignee.email if conversation.assignee_id and conversation.assignee else ""
        if name == "tags":
            return self.tags
        if name == "custom_field":
            return (conversation.custom_fields or {}).get(key)
        if name == "organisation":
            return customer.organisation.name if customer.organisation_id and customer.organisation else ""
        if name == "customer_email":
            return " ".join(customer.identities.filter(kind="email").values_list("value", flat=True))
        if name == "customer_name":
            return customer.name
        if name == "customer_language":
            return customer.language
        if name == "customer_internal":
            return "yes" if customer.is_internal else "no"
        if name == "subject":
            return conversation.subject
        if name == "text":
            return self.customer_text
        if name.startswith("hours_since_"):
            since = (
                {
                    "hours_since_created": conversation.created_at,
                    "hours_since_customer": conversation.last_inbound_at,
                    "hours_since_update": conversation.last_message_at,
                }.get(name)
                if name != "hours_since_status"
                else self.status_since
            )
            return None if since is None else round((self.now - since).total_seconds() / 3600, 2)
        if name == "business_hours":
            return "within" if within_hours(self.rule, self.now) else "outside"
        if name == "mood":
            return self.mood.mood if self.mood else ""
        if name == "sentiment":
            return self.mood.sentiment if self.mood else None
        raise ValidationError(f"Unknown condition field {name!r}.")


def within_hours(rule: Rule, moment: datetime) -> bool:
    """True inside the rule's weekly window (no window set: always)."""
    if not rule.hours_days or rule.hours_start is None or rule.hours_end is None:
        return True
    try:
        zone = zoneinfo.ZoneInfo(rule.hours_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = moment.astimezone(zone)
    return local.weekday() in rule.hours_days and rule.hours_start <= local.time() < rule.hours_end


@dataclass(frozen=True)
class Outcome:
    condition: dict[str, Any]
    matched: bool
    actual: str

    @property
    def describe(self) -> str:
        return describe(self.condition)


def describe(condition: dict[str, Any]) -> str:
    label = FIELDS.get(condition.get("field", ""), (condition.get("field", "?"),))[0]
    op = OPS.get(condition.get("op", ""), condition.get("op", ""))
    value = "" if condition.get("op") in NO_VALUE else f" “{condition.get('value', '')}”"
    return f"{label} {op}{value}"


def check(condition: dict[str, Any]) -> None:
    """Raise ValidationError when the row cannot be evaluated (unknown field, op or bad number)."""
    name, op, value = condition.get("field"), condition.get("op"), str(condition.get("value", "")).strip()
    if name not in FIELDS:
        raise ValidationError(f"Unknown condition field {name!r}.")
    label, ops, _hint = FIELDS[name]
    if op not in ops:
        raise ValidationError(f"{label}: choose one of {', '.join(OPS[o] for o in ops)}.")
    if op in NO_VALUE and name != "custom_field":
        return
    if not value:
        raise ValidationError(f"{label}: a value is needed.")
    if name == "custom_field" and "=" not in value and op not in NO_VALUE:
        raise ValidationError(f"{label}: write key=value.")
    if op in (MORE_THAN, LESS_THAN) or name == "priority":
        number = value.split("=", 1)[1] if name == "custom_field" else value
        try:
            float(number)
        except ValueError:
            raise ValidationError(f"{label}: “{number}” is not a number.")


def _text(actual: Any) -> str:
    if isinstance(actual, tuple):
        return " / ".join(str(part) for part in actual)
    if isinstance(actual, set):
        return ", ".join(sorted(actual)) or "none"
    return "" if actual is None else str(actual)


def _compare(actual: Any, op: str, wanted: str) -> bool:  # noqa: C901 - one branch per op
    if op == IS_SET:
        return bool(actual) or actual == 0
    if op == IS_NOT_SET:
        return not (bool(actual) or actual == 0)
    if op in (MORE_THAN, LESS_THAN):
        try:
            number = float(actual)
        except (TypeError, ValueError):
            return False
        return number > float(wanted) if op == MORE_THAN else number < float(wanted)
    if isinstance(actual, set):
        found = wanted.lower() in actual
        return found if op in (CONTAINS, IS) else not found
    options = {str(part).lower() for part in actual} if isinstance(actual, tuple) else {_text(actual).lower()}
    wanted = wanted.lower()
    if op == IS:
        return wanted in options
    if op == IS_NOT:
        return wanted not in options
    words = [word.strip() for word in wanted.split("|") if word.strip()]
    found = any(word in option for word in words for option in options)
    return found if op == CONTAINS else not found


def evaluate(condition: dict[str, Any], facts: Facts) -> Outcome:
    name, op = condition.get("field", ""), condition.get("op", "")
    value = str(condition.get("value", "")).strip()
    key = ""
    if name == "custom_field":
        key, _, value = value.partition("=")
        key, value = key.strip(), value.strip()
    try:
        actual = facts.value(name, key)
    except ValidationError:
        return Outcome(condition, False, "unknown field")
    return Outcome(condition, _compare(actual, op, value), _text(actual) or "nothing")


def evaluate_all(rule: Rule, facts: Facts) -> tuple[bool, list[Outcome]]:
    """Whether the rule's conditions hold (no conditions: always), with each row's outcome.
    `facts` may be shared by several rules (what one read, the next reuses)."""
    facts.rule = rule
    outcomes = [evaluate(condition, facts) for condition in rule.conditions]
    if not outcomes:
        return True, outcomes
    if rule.match == Rule.Match.ANY:
        return any(outcome.matched for outcome in outcomes), outcomes
    return all(outcome.matched for outcome in outcomes), outcomes
