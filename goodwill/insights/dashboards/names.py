"""Names for the integer keys of the summaries (one query per kind of key)."""

from __future__ import annotations

from collections.abc import Iterable

from goodwill.accounts.models import Agent, Team
from goodwill.conversations.models import ContactReason, Conversation
from goodwill.customers.models import Organisation


def teams(ids: Iterable[int]) -> dict[int, str]:
    names = dict(Team.objects.filter(pk__in=set(ids)).values_list("pk", "name"))
    return {0: "No team", **names}


def needs(ids: Iterable[int]) -> dict[int, str]:
    names = dict(ContactReason.objects.filter(pk__in=set(ids)).values_list("pk", "name"))
    return {0: "No need set", **names}


def agents(ids: Iterable[int]) -> dict[int, str]:
    found = {a.pk: a.display_name for a in Agent.objects.filter(pk__in=set(ids)).only("pk", "name", "email")}
    return {0: "Nobody", **found}


def organisations(ids: Iterable[int]) -> dict[int, str]:
    names = dict(Organisation.objects.filter(pk__in=set(ids)).values_list("pk", "name"))
    return {0: "No organisation", **names}


def channel(value: str) -> str:
    return str(dict(Conversation.Channel.choices).get(value, value or "Unknown"))
