"""Timeline events for the bulk-loaded rows: customers created, conversations opened,
assigned, solved (with whether the need was met) and closed. Messages are not repeated
as events.

Rows follow `bulk.EVENT_COLUMNS` and carry explicit, consecutive ids from `EventIds`.
"""

from __future__ import annotations

from json.encoder import encode_basestring as json_string
from typing import Any

from goodwill.demo.writer import TimeFormat


class EventIds:
    """The next event id: the bulk rows are written with their ids, so they are known up front."""

    def __init__(self, last: int) -> None:
        self.base = last  # the highest id before seeding
        self.last = last

    def next(self) -> int:
        self.last += 1
        return self.last

    @property
    def issued(self) -> int:
        return self.last - self.base


def customers_created(events: EventIds, customer_rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One `customer.created` event per customer row (`bulk.CUSTOMER_COLUMNS`), at its creation time."""
    return [
        (
            events.next(),
            "customer.created",
            None,
            row[0],
            None,
            "customers.customer",
            str(row[0]),
            None,
            None,
            row[11],
        )
        for row in customer_rows
    ]


def add_conversation_events(
    out: list[tuple[Any, ...]],
    events: EventIds,
    fmt: TimeFormat,
    *,
    conversation_id: int,
    customer_id: int,
    channel: str,
    subject: str,
    opened_text: str | None,
    logged_by: int | None,
    assignee: tuple[int | None, str],
    assigned_at: int,
    solved_at: int | None,
    need_met: str,
    closed_at: int | None,
) -> None:
    """Append the events of one conversation's life: opened, assigned, solved, need met, closed.

    `logged_by` is the agent who logged a phone call or walk-in (None when the customer wrote);
    `assignee` is (agent id or None when unassigned, display name).
    """
    customer, conversation = customer_id, conversation_id
    opened = f'{{"channel": "{channel}", "subject": {json_string(subject)}}}'
    subject_type, subject_id = "conversations.conversation", str(conversation)
    out.append(
        (events.next(), "conversation.opened", logged_by, customer, conversation, subject_type, subject_id)
        + (None, opened, opened_text)
    )
    assignee_id, name = assignee
    if assignee_id is not None:
        assigned = f'{{"assignee": {assignee_id}, "name": "{name}"}}'
        out.append(
            (events.next(), "conversation.assigned", logged_by, customer, conversation, "", "")
            + ('{"assignee": null}', assigned, fmt(assigned_at))
        )
    if solved_at is not None:
        solved_text = fmt(solved_at)
        out.append(
            (events.next(), "conversation.status", assignee_id, customer, conversation, "", "")
            + ('{"status": "open"}', '{"status": "solved"}', solved_text)
        )
        out.append(
            (events.next(), "conversation.need_met", assignee_id, customer, conversation, "", "")
            + ('{"need_met": ""}', f'{{"need_met": "{need_met}"}}', solved_text)
        )
    if closed_at is not None:
        out.append(
            (events.next(), "conversation.status", None, customer, conversation, "", "")
            + ('{"status": "solved"}', '{"status": "closed"}', fmt(closed_at))
        )
