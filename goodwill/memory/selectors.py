"""Reads of customer memory that depend on who is asking.

The rule for restricted teams: a fact learned in a conversation of a restricted team is
visible only to that team's members and to admins, like the conversation itself, unless
someone who sees it marks it shareable; then every agent sees it. Facts learned elsewhere
(a conversation of an open team, the customer page, the API) are visible to every agent.
Customers never see facts: nothing in the portal, the customers' API or emails reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from goodwill.accounts.models import Agent
from goodwill.conversations.visibility import restricted_team_ids_hidden_from
from goodwill.customers.models import Customer
from goodwill.memory.models import Fact

# Hints lead with what changes how to talk to someone, then what makes it personal.
HINT_ORDER = [
    Fact.Category.ACCESSIBILITY,
    Fact.Category.COMMUNICATION,
    Fact.Category.DATE,
    Fact.Category.FAMILY,
    Fact.Category.LIKES,
    Fact.Category.INTERESTS,
    Fact.Category.DISLIKES,
    Fact.Category.OTHER,
]
HINT_FACTS = 3
HINT_CANDIDATES = 40


def facts_visible_to(agent: Agent, customer: Customer | int) -> QuerySet[Fact]:
    """Every fact (current and outdated) of `customer` that `agent` may read."""
    facts = Fact.objects.filter(customer=customer)
    if not agent.is_active:
        return facts.none()
    hidden = restricted_team_ids_hidden_from(agent)
    if hidden:
        facts = facts.filter(Q(team__isnull=True) | Q(is_shareable=True) | ~Q(team_id__in=hidden))
    return facts


def get_fact_for(agent: Agent, pk: int) -> Fact:
    fact = Fact.objects.select_related("customer").filter(pk=pk).first()
    if fact is None or not facts_visible_to(agent, fact.customer_id).filter(pk=pk).exists():
        raise Http404("No such fact")
    return fact


def next_occurrence(day: date, today: date) -> date:
    """The next time a yearly date comes round, today included (29 February → 28 in other years)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate >= today:
            return candidate
    return day  # unreachable: next year's date is always later


@dataclass(frozen=True)
class Reminder:
    fact: Fact
    on: date
    days: int


@dataclass(frozen=True)
class GreetingHint:
    name: str
    pronunciation: str
    facts: list[Fact]
    reminders: list[Reminder]

    def __bool__(self) -> bool:
        return bool(self.name or self.pronunciation or self.facts or self.reminders)


def upcoming_dates(facts: list[Fact], today: date, days: int) -> list[Reminder]:
    reminders = []
    for fact in facts:
        if fact.category == Fact.Category.DATE and fact.date is not None:
            on = next_occurrence(fact.date, today)
            if (on - today).days <= days:
                reminders.append(Reminder(fact=fact, on=on, days=(on - today).days))
    return sorted(reminders, key=lambda reminder: reminder.on)


def current_facts(agent: Agent, customer: Customer, limit: int = HINT_CANDIDATES) -> list[Fact]:
    """The customer's current facts the agent may read, the newest first."""
    return list(
        facts_visible_to(agent, customer)
        .filter(outdated_at__isnull=True)
        .order_by("-learned_at", "-id")[:limit]
    )


def greeting_hint(
    agent: Agent, customer: Customer, *, today: date, current: list[Fact] | None = None
) -> GreetingHint:
    """The preferred name, pronunciation, the most relevant facts and dates coming up. One query,
    none when `current` (the newest `HINT_CANDIDATES` of `current_facts`) is given."""
    if current is None:
        current = current_facts(agent, customer)
    current = current[:HINT_CANDIDATES]
    days = getattr(settings, "GOODWILL_MEMORY_REMINDER_DAYS", 14)
    reminders = upcoming_dates(current, today, days)
    reminded = {reminder.fact.pk for reminder in reminders}
    rank: dict[str, int] = {str(category): index for index, category in enumerate(HINT_ORDER)}
    ranked = sorted(
        (fact for fact in current if fact.pk not in reminded),
        key=lambda fact: rank.get(fact.category, len(rank)),
    )  # stable: the newest first within a category
    return GreetingHint(
        name=customer.preferred_name,
        pronunciation=customer.pronunciation,
        facts=ranked[: max(1, HINT_FACTS - len(reminders))],
        reminders=reminders,
    )
