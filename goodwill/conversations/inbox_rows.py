"""An inbox page's rows as plain values: what a line shows and what its cursor needs.

The page query reads its columns with `values_list()` instead of building a conversation, a
customer, an assignee and a team object per row (about 200 model instances for 50 rows: 4.6 ms
against 2.1 ms for the same columns on the build machine, bench/README.md "CPU per page").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from goodwill.conversations.models import Conversation
from goodwill.core.prepared import PreparedQuery
from goodwill.customers.models import Identity

# What an inbox row shows. Every other column stays unread. A row that needs another field
# must add it here (and to `InboxConversation`).
INBOX_COLUMNS = (
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "customer_id",
    "customer__name",
    "assignee__name",
    "assignee__email",
    "team__name",
    "last_message_at",
    "waiting_since",
)


@dataclass(slots=True)
class InboxConversation:
    """One conversation of an inbox page, with its customer, assignee and team flattened."""

    pk: int
    number: int
    subject: str
    status: str
    priority: int
    customer_id: int
    customer_name: str  # the name, else the primary e-mail, else "Customer <id>"
    assignee_name: str  # the assignee's display name, "" when unassigned
    team_name: str
    last_message_at: datetime
    waiting_since: datetime | None
    sort_values: list[Any]  # the values of the page's sort fields, for the cursor
    tag_names: list[str] = field(default_factory=list)


def read_rows(page: QuerySet[Conversation, Any], sort_fields: list[str]) -> list[InboxConversation]:
    """The rows of `page` (ordered and sliced), each with its sort fields' values."""
    extra = [name for name in sort_fields if name not in INBOX_COLUMNS]
    positions = [(INBOX_COLUMNS + tuple(extra)).index(name) for name in sort_fields]
    rows = []
    for values in page.values_list(*INBOX_COLUMNS, *extra):
        (pk, number, subject, status, priority, customer_id, customer_name) = values[:7]
        (assignee_name, assignee_email, team_name, last_message_at, waiting_since) = values[7:12]
        rows.append(
            InboxConversation(
                pk=pk,
                number=number,
                subject=subject,
                status=status,
                priority=priority,
                customer_id=customer_id,
                customer_name=customer_name,
                # As Agent.display_name; an assignee always has an e-mail address.
                assignee_name=(assignee_name or assignee_email.split("@")[0]) if assignee_email else "",
                team_name=team_name or "",
                last_message_at=last_message_at,
                waiting_since=waiting_since,
                sort_values=[values[position] for position in positions],
            )
        )
    return rows


# Every inbox page asks for both: their SQL is built once per process (core.prepared).
_TAG_NAMES = PreparedQuery(
    lambda ids: (
        Conversation.tags.through.objects.filter(conversation_id__in=ids)
        .order_by("tag__name")
        .values_list("conversation_id", "tag__name")
    )
)
_EMAILS = PreparedQuery(
    lambda ids: (
        Identity.objects.filter(customer_id__in=ids, kind=Identity.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("customer_id", "value")
    )
)


def attach_inbox_details(rows: list[InboxConversation]) -> None:
    """Give each row its `tag_names` and its customer's inbox name in two flat queries."""
    tag_names: dict[int, list[str]] = {row.pk: [] for row in rows}
    for conversation_id, name in _TAG_NAMES.rows(list(tag_names)):
        tag_names[conversation_id].append(name)
    nameless = {row.customer_id for row in rows if not row.customer_name}
    emails: dict[int, str] = {}
    if nameless:
        for customer_id, value in _EMAILS.rows(sorted(nameless)):
            emails.setdefault(customer_id, value)
    for row in rows:
        row.tag_names = tag_names[row.pk]
        if not row.customer_name:
            row.customer_name = emails.get(row.customer_id) or f"Customer {row.customer_id}"
