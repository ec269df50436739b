"""The organisation page: its people and their conversations, each list keyset-paged."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.db.models import Q

from goodwill.accounts.models import Agent
from goodwill.conversations.visibility import conversations_visible_to
from goodwill.customers.models import Customer, Organisation

PEOPLE = 50
CONVERSATIONS = 50


def _encode(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode(text: str) -> tuple[str, str]:
    """Raises ValueError when `text` is not a cursor of this page."""
    try:
        first, second = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().rsplit("|", 1)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("Not a page cursor.") from error
    if not second.isdigit():
        raise ValueError("Not a page cursor.")
    return first, second


def organisation_page(
    agent: Agent, organisation: Organisation, *, people_after: str = "", conversations_after: str = ""
) -> dict[str, Any]:
    people = (
        Customer.objects.filter(organisation=organisation)
        .prefetch_related("identities")
        .order_by("name", "id")
    )
    if people_after:
        name, pk = _decode(people_after)
        people = people.filter(Q(name__gt=name) | Q(name=name, id__gt=int(pk)))
    people_page = list(people[: PEOPLE + 1])
    conversations = (
        conversations_visible_to(agent)
        .filter(customer__organisation=organisation)
        .select_related("customer", "assignee", "team")
        .order_by("-last_message_at", "-id")
    )
    if conversations_after:
        at, pk = _decode(conversations_after)
        when = datetime.fromisoformat(at)
        conversations = conversations.filter(last_message_at__lte=when).exclude(
            last_message_at=when, id__gte=int(pk)
        )
    conversation_page = list(conversations[: CONVERSATIONS + 1])
    last_person = people_page[PEOPLE - 1] if len(people_page) > PEOPLE else None
    last_conversation = (
        conversation_page[CONVERSATIONS - 1] if len(conversation_page) > CONVERSATIONS else None
    )
    return {
        "organisation": organisation,
        "people": people_page[:PEOPLE],
        "people_next": _encode(last_person.name, str(last_person.pk)) if last_person else "",
        "conversations": conversation_page[:CONVERSATIONS],
        "conversations_next": _encode(
            last_conversation.last_message_at.isoformat(), str(last_conversation.pk)
        )
        if last_conversation
        else "",
        "people_after": people_after,
        "conversations_after": conversations_after,
    }
