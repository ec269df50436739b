"""The agent's workspace: composer, drafts, macros, saved views and bulk actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from goodwill.accounts.models import Agent
from goodwill.accounts.policy import Action, require
from goodwill.conversations.models import (
    Conversation,
    Draft,
    Macro,
    Message,
    SavedView,
)
from goodwill.conversations.services.attachments import NewAttachment
from goodwill.conversations.services.merge_split import merge_conversations
from goodwill.conversations.services.properties import assign_conversation, change_status, set_tags
from goodwill.conversations.services.replies import add_note, add_reply, log_contact


class StaleDraftError(Exception):
    """The customer wrote again after the agent last looked: read it before sending."""

    def __init__(self, unseen: list[Message]) -> None:
        super().__init__("The customer wrote again while you were drafting.")
        self.unseen = unseen


def unseen_inbound_messages(conversation: Conversation, seen_message_id: int | None) -> list[Message]:
    """Customer messages newer than the last one the agent saw."""
    if seen_message_id is None:
        return []
    return list(
        conversation.messages.filter(direction=Message.Direction.INBOUND, id__gt=seen_message_id)
        .select_related("author_customer")
        .order_by("id")
    )


def save_draft(
    conversation: Conversation, *, by: Agent, text: str, kind: str, seen_message_id: int | None
) -> Draft:
    """Keep the agent's unsent text; one draft per agent and conversation."""
    if kind not in (Message.Kind.REPLY, Message.Kind.NOTE):
        raise ValidationError("A draft is a reply or a note.")
    if kind == Message.Kind.REPLY and not by.can_reply:
        kind = Message.Kind.NOTE
    draft, _ = Draft.objects.update_or_create(
        conversation=conversation,
        agent=by,
        defaults={"text": text, "kind": kind, "seen_message_id": seen_message_id},
    )
    return draft


def discard_draft(conversation: Conversation, *, by: Agent) -> None:
    Draft.objects.filter(conversation=conversation, agent=by).delete()


def send_from_composer(
    conversation: Conversation,
    *,
    by: Agent,
    kind: str,
    text: str,
    seen_message_id: int | None,
    status: str = "",
    attachments: Sequence[NewAttachment] = (),
) -> Message:
    """Send a reply or add a note, then set the status; the draft goes away.

    A reply written before the customer's latest message is refused once (StaleDraftError),
    with the draft kept and marked as having seen that message, so the next send goes through.
    """
    if kind == Message.Kind.REPLY:
        require(by, Action.REPLY)
        unseen = unseen_inbound_messages(conversation, seen_message_id)
        if unseen:
            save_draft(conversation, by=by, text=text, kind=kind, seen_message_id=unseen[-1].pk)
            raise StaleDraftError(unseen)
        with transaction.atomic():
            message = add_reply(
                conversation, by=by, text=text, status=status or None, attachments=attachments
            )
            discard_draft(conversation, by=by)
        return message
    if kind in (Message.Kind.PHONE, Message.Kind.WALK_IN):
        if not text.strip():
            raise ValidationError("Write down what was said.")
        with transaction.atomic():
            _conversation, message = log_contact(
                by=by, customer=conversation.customer, kind=kind, text=text, conversation=conversation
            )
            if status:
                conversation.refresh_from_db()
                change_status(conversation, status, by=by)
            discard_draft(conversation, by=by)
        return message
    if kind != Message.Kind.NOTE:
        raise ValidationError(f"Unknown message kind {kind!r}.")
    with transaction.atomic():
        message = add_note(conversation, by=by, text=text, attachments=attachments)
        if status:
            change_status(conversation, status, by=by)
        discard_draft(conversation, by=by)
    return message


def render_macro(macro: Macro, *, conversation: Conversation, agent: Agent) -> str:
    """Macro text with its placeholders filled for this conversation and agent."""
    values = {
        "{customer_name}": conversation.customer.greeting_name or "there",
        "{customer_full_name}": conversation.customer.name,
        "{agent_name}": agent.display_name,
        "{conversation_number}": str(conversation.number),
    }
    text = macro.text
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def save_view(*, owner: Agent, name: str, filters: dict[str, Any], sort: str, is_shared: bool) -> SavedView:
    name = name.strip()
    if not name:
        raise ValidationError("A view needs a name.")
    if is_shared:
        require(owner, Action.SHARE_VIEW)
    return SavedView.objects.create(
        owner=owner, name=name[:80], filters=filters, sort=sort, is_shared=is_shared
    )


def delete_view(view: SavedView, *, by: Agent) -> None:
    if view.owner_id != by.pk:
        require(by, Action.ADMINISTER)  # only the owner, or an admin, deletes a view
    view.delete()


def add_tag(conversation: Conversation, name: str, *, by: Agent | None) -> None:
    current = list(conversation.tags.values_list("name", flat=True))
    set_tags(conversation, [*current, name], by=by)


@dataclass
class BulkResult:
    changed: int = 0
    errors: list[str] | None = None


def apply_bulk_action(
    conversations: Sequence[Conversation],
    *,
    by: Agent,
    action: str,
    assignee: Agent | None = None,
    tag: str = "",
    status: str = "",
) -> BulkResult:
    """One action on many conversations; each goes through its own service and event."""
    require(by, Action.BULK_EDIT)
    result = BulkResult(errors=[])
    if action == "merge":
        if len(conversations) < 2:
            raise ValidationError("Choose at least two conversations to merge.")
        target = max(conversations, key=lambda item: (item.last_message_at, item.pk))
        for source in conversations:
            if source.pk != target.pk:
                merge_conversations(source, into=target, by=by)
                result.changed += 1
        return result
    for conversation in conversations:
        if action == "assign":
            assign_conversation(conversation, to=assignee, by=by)
        elif action == "tag":
            if not tag.strip():
                raise ValidationError("Name the tag to add.")
            add_tag(conversation, tag, by=by)
        elif action == "status":
            change_status(conversation, status, by=by)
        else:
            raise ValidationError(f"Unknown bulk action {action!r}.")
        result.changed += 1
    return result
