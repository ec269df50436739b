"""Agent workspace views, one module per area: inbox, conversation page, composer, files,
and the customer page (it lists conversations, so it sits here, above `customers`).

Thin: selectors read, services write. The names below are what `urls.py` routes to.
"""

from goodwill.conversations.views.composer import draft_check, macro_text, save_draft, send
from goodwill.conversations.views.conversation import detail, merge, split
from goodwill.conversations.views.customer import customer_detail
from goodwill.conversations.views.files import attachment, raw_message
from goodwill.conversations.views.inbox import bulk, delete_view, inbox, save_view, view_counts
from goodwill.conversations.views.outbound import new_conversation
from goodwill.conversations.views.properties import update_properties

__all__ = [
    "attachment",
    "bulk",
    "customer_detail",
    "delete_view",
    "detail",
    "draft_check",
    "inbox",
    "macro_text",
    "merge",
    "new_conversation",
    "raw_message",
    "save_draft",
    "save_view",
    "send",
    "split",
    "update_properties",
    "view_counts",
]
