"""Facts: learn one, edit it (its old wording is kept), mark it outdated (kept as history).

Callers have checked that the agent may see the customer's conversation; these functions check
the role (light agents only read) and validate the input. A fact learned in a restricted team's
conversation belongs to that team (see selectors.facts_visible_to).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import Conversation, Message
from goodwill.customers.models import Customer
from goodwill.memory.models import Fact, FactRevision
from goodwill.memory.rules import find_date

MAX_TEXT = 500


def _clean(category: str, text: str, when: date | None) -> tuple[str, str, date | None]:
    text = " ".join((text or "").split())
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Write what you learned."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"Keep it under {MAX_TEXT} characters (this is {len(text)})."
    if category not in Fact.Category.values:
        errors["category"] = "Choose one of the categories."
    if errors:
        raise ValidationError(errors)
    if category == Fact.Category.DATE and when is None:
        when = find_date(text, today=timezone.localdate())
        if when is None:
            raise ValidationError({"date": "An important date needs its date."})
    return category, text, when


def add_fact(
    customer: Customer,
    *,
    category: str,
    text: str,
    by: Agent | None,
    date: date | None = None,
    message: Message | None = None,
    conversation: Conversation | None = None,
    is_shareable: bool = False,
) -> Fact:
    """Remember something about `customer`, learned by `by` (from `message`, if given)."""
    require(by, Action.EDIT_CUSTOMER)
    category, text, date = _clean(category, text, date)
    if message is not None:
        conversation = message.conversation
    if conversation is not None and conversation.customer_id != customer.pk:
        raise ValidationError("That conversation is not with this customer.")
    team = conversation.team if conversation is not None and conversation.team_id else None
    now = timezone.now()
    return Fact.objects.create(
        customer=customer,
        category=category,
        text=text,
        date=date,
        team=team if team is not None and team.is_restricted else None,
        is_shareable=is_shareable,
        source_message=message,
        source_conversation=conversation,
        learned_by=by,
        learned_at=now,
        updated_at=now,
    )


def edit_fact(
    fact: Fact,
    *,
    by: Agent | None,
    category: str | None = None,
    text: str | None = None,
    date: date | None = None,
    is_shareable: bool | None = None,
) -> Fact:
    """Change a fact; the wording it had is kept as a revision."""
    require(by, Action.EDIT_CUSTOMER)
    new_category, new_text, new_date = _clean(
        category if category is not None else fact.category,
        text if text is not None else fact.text,
        date
        if date is not None
        else (fact.date if (category or fact.category) == Fact.Category.DATE else None),
    )
    changed = (new_category, new_text, new_date) != (fact.category, fact.text, fact.date)
    shareable_changed = is_shareable is not None and is_shareable != fact.is_shareable
    if not changed and not shareable_changed:
        return fact
    now = timezone.now()
    with transaction.atomic():
        if changed:
            FactRevision.objects.create(
                fact=fact,
                customer_id=fact.customer_id,
                category=fact.category,
                text=fact.text,
                date=fact.date,
                changed_by=by,
                changed_at=now,
            )
        fact.category, fact.text, fact.date = new_category, new_text, new_date
        if is_shareable is not None:
            fact.is_shareable = is_shareable
        fact.updated_at = now
        fact.save()
    return fact


def mark_outdated(fact: Fact, *, by: Agent | None, outdated: bool = True) -> Fact:
    """No longer true ("they moved away"): kept as history, left out of hints. Reversible."""
    require(by, Action.EDIT_CUSTOMER)
    if outdated == fact.is_outdated:
        return fact
    fact.outdated_at = timezone.now() if outdated else None
    fact.outdated_by = by if outdated else None
    fact.updated_at = timezone.now()
    fact.save(update_fields=["outdated_at", "outdated_by", "updated_at"])
    return fact
