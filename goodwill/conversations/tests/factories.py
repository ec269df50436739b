"""Build conversations through the real services, as the app does."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import assign_conversation, open_conversation
from goodwill.customers.models import Customer
from goodwill.customers.services import create_customer

_counter = {"n": 0}


def make_customer(name: str = "") -> Customer:
    _counter["n"] += 1
    number = _counter["n"]
    return create_customer(name=name or f"Customer {number}", emails=[f"customer{number}@example.test"])


def make_conversation(
    *,
    customer: Customer | None = None,
    subject: str = "Where is my parcel?",
    text: str = "Hello, my parcel has not arrived.",
    team: Team | None = None,
    assignee: Any = None,
    at: datetime | None = None,
    channel: str = Conversation.Channel.EMAIL,
    **extra: Any,
) -> Conversation:
    conversation, _message = open_conversation(
        customer=customer or make_customer(),
        subject=subject,
        channel=channel,
        text=text,
        team=team,
        at=at,
        **extra,
    )
    if assignee is not None:
        assign_conversation(conversation, to=assignee, by=None)
    conversation.refresh_from_db()
    return conversation


def minutes_ago(minutes: int) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def view_subjects(agent: Any, slug: str, *, size: int = 2) -> list[str]:
    """The subjects a built-in inbox view lists for `agent`, every page in order (`size` a page,
    small so that a test crosses page boundaries)."""
    from goodwill.conversations.selectors import BUILT_IN_VIEWS, inbox_page

    view = BUILT_IN_VIEWS[slug]
    page = inbox_page(agent, where=view.where(agent), sort=view.sort, size=size)
    subjects = [row.subject for row in page.rows]
    while page.next_cursor:
        page = inbox_page(agent, where=view.where(agent), sort=view.sort, cursor=page.next_cursor, size=size)
        subjects += [row.subject for row in page.rows]
    return subjects
