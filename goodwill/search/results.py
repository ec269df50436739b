"""What a search returns: pages of hits per kind, and the limits every engine keeps to.

The limits are read as `results.NAME` where they are used, so a test can lower them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.safestring import SafeString

from goodwill.conversations.models import Conversation, Message
from goodwill.customers.models import Customer
from goodwill.search.query import ParsedQuery

KINDS = ("conversations", "messages", "customers")
ORDERS = ("relevance", "date")
RELEVANCE_CANDIDATES = 200
COUNT_CAP = 1000
PREVIEW_LIMIT = 5  # per kind, when searching everything at once
PREVIEW_CANDIDATES = 100


@dataclass(frozen=True)
class Filters:
    statuses: tuple[str, ...] = ()
    channel: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @property
    def touch_conversations(self) -> bool:
        return bool(self.statuses or self.channel or self.since or self.until)


@dataclass
class SearchHit:
    kind: str  # "conversation", "message" or "customer"; a customer's conversation is their latest
    pk: int
    snippet: SafeString
    score: float = 0.0
    conversation: Conversation | None = None
    message: Message | None = None
    customer: Customer | None = None

    @property
    def at(self) -> datetime | None:
        if self.message is not None:
            return self.message.created_at
        if self.conversation is not None:
            return self.conversation.last_message_at
        if self.customer is not None:
            return self.customer.created_at
        return None


@dataclass
class SearchPage:
    kind: str
    hits: list[SearchHit] = field(default_factory=list)
    next_cursor: str | None = None
    limited: int = 0  # when more matched: best match ranked only this many newest matches
    total: int | None = None  # matches counted, up to COUNT_CAP (or estimated)
    total_is: str = "exact"  # "exact", "more" (more than total) or "about" (an estimate)

    @property
    def total_text(self) -> str:
        if self.total is None:
            return ""
        if self.total_is == "more":
            return f"more than {self.total:,}"
        if self.total_is == "about":
            return f"about {self.total:,}"
        return f"{self.total:,}"


@dataclass
class SearchResults:
    query: ParsedQuery
    order: str
    pages: dict[str, SearchPage] = field(default_factory=dict)

    @property
    def conversations(self) -> SearchPage | None:
        return self.pages.get("conversations")

    @property
    def messages(self) -> SearchPage | None:
        return self.pages.get("messages")

    @property
    def customers(self) -> SearchPage | None:
        return self.pages.get("customers")

    @property
    def is_empty(self) -> bool:
        return not any(page.hits for page in self.pages.values())
