"""One rule for turning a parsed email into a customer message.

The one-message path, the bulk path and the quarantine release all build their message
here, so they agree on the mailbox (the door's, else envelope, Delivered-To, To, Cc), the
team and the time (the Date header for imported files, else when the message arrived).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from goodwill.channels.email.intake.directory import _team_for
from goodwill.channels.email.models import Mailbox, RawEmail
from goodwill.channels.email.parsing import ParsedEmail
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import InboundMessage, open_conversation, receive_message
from goodwill.customers.models import Customer


def message_time(raw: RawEmail, parsed: ParsedEmail) -> datetime:
    """Imported files are history and keep their Date; live mail is dated when it arrived."""
    return parsed.date if (raw.source == RawEmail.Source.FILE and parsed.date) else raw.received_at


def inbound_message(
    raw: RawEmail,
    parsed: ParsedEmail,
    *,
    mailbox: Mailbox | None,
    customer: Customer,
    conversation: Conversation | None = None,
    follows: int | None = None,
) -> InboundMessage:
    """The message `parsed` becomes: joining `conversation` (or batch item `follows`), else opening one."""
    opens = conversation is None and follows is None
    return InboundMessage(
        customer=customer,
        channel=Conversation.Channel.EMAIL,
        at=message_time(raw, parsed),
        text=parsed.text,
        html=parsed.html,
        new_text=parsed.new_text,
        message_id=parsed.message_id[:500],
        raw_path=raw.path,
        attachments=parsed.attachments,
        subject=parsed.subject,
        team=_team_for(mailbox, parsed, raw.envelope_to) if opens else None,
        conversation=conversation,
        follows=follows,
    )


def deliver(item: InboundMessage) -> tuple[Conversation, Message, bool]:
    """Write one message: (conversation, message, opened), the rows `receive_messages_in_bulk` writes."""
    common: dict[str, Any] = {
        "customer": item.customer,
        "text": item.text,
        "html": item.html,
        "new_text": item.new_text,
        "message_id": item.message_id,
        "raw_path": item.raw_path,
        "at": item.at,
        "attachments": item.attachments,
    }
    if item.conversation is None:
        conversation, message = open_conversation(
            subject=item.subject, channel=item.channel, team=item.team, **common
        )
        return conversation, message, True
    return item.conversation, receive_message(item.conversation, channel=item.channel, **common), False
