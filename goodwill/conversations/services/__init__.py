"""Every state change of a conversation. Each runs in one transaction and records an Event.

Split by verb; import from here (`from goodwill.conversations.services import add_reply`):

- `inbound`: customer messages coming in (open, append, many at once), attachments
- `replies`: replies, internal notes, logged phone calls and walk-ins
- `properties`: status, assignee, priority, team, subject, need, tags, custom fields
- `merge_split`: merging conversations, splitting a message off
- `outbound`: conversations an agent starts
- `workspace`: composer, drafts, macros, saved views, bulk actions
"""

from goodwill.conversations.services.attachments import NewAttachment
from goodwill.conversations.services.inbound import (
    InboundMessage,
    open_conversation,
    receive_message,
    receive_messages_in_bulk,
)
from goodwill.conversations.services.merge_split import merge_conversations, split_message
from goodwill.conversations.services.outbound import open_outbound_conversation
from goodwill.conversations.services.properties import (
    assign_conversation,
    change_status,
    clean_custom_fields,
    set_custom_fields,
    set_need,
    set_need_met,
    set_priority,
    set_subject,
    set_tags,
    set_team,
    update_properties,
)
from goodwill.conversations.services.replies import add_note, add_reply, log_contact
from goodwill.conversations.services.workspace import (
    BulkResult,
    StaleDraftError,
    add_tag,
    apply_bulk_action,
    delete_view,
    discard_draft,
    render_macro,
    save_draft,
    save_view,
    send_from_composer,
    unseen_inbound_messages,
)

__all__ = [
    "BulkResult",
    "InboundMessage",
    "NewAttachment",
    "StaleDraftError",
    "add_note",
    "add_reply",
    "add_tag",
    "apply_bulk_action",
    "assign_conversation",
    "change_status",
    "clean_custom_fields",
    "delete_view",
    "discard_draft",
    "log_contact",
    "merge_conversations",
    "open_conversation",
    "open_outbound_conversation",
    "receive_message",
    "receive_messages_in_bulk",
    "render_macro",
    "save_draft",
    "save_view",
    "send_from_composer",
    "set_custom_fields",
    "set_need",
    "set_need_met",
    "set_priority",
    "set_subject",
    "set_tags",
    "set_team",
    "split_message",
    "unseen_inbound_messages",
    "update_properties",
]
