"""Conversations and their messages: every channel ends in these two models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from goodwill.core.models import TimeStampedModel


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactReason(models.Model):
    """A customer need from the team's editable taxonomy ("Billing › Refund")."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    keywords = models.TextField(blank=True, help_text="Words that suggest this need, one per line.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="unique_contact_reason")]

    def __str__(self) -> str:
        return self.label_for(self.name, self.parent.name if self.parent_id and self.parent else None)

    @staticmethod
    def label_for(name: str, parent_name: str | None) -> str:
        return f"{parent_name} › {name}" if parent_name else name


class CustomField(models.Model):
    """A field admins add to conversations; values live in Conversation.custom_fields."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes / no"
        CHOICE = "choice", "Choice"

    key = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    choices = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def open(self) -> ConversationQuerySet:
        return self.filter(status__in=Conversation.OPEN_STATUSES)

    def finished(self) -> ConversationQuerySet:
        return self.filter(status__in=Conversation.FINISHED_STATUSES)

    def with_ended(self) -> ConversationQuerySet:
        """Annotate `ended`, when a finished conversation ended: when it was solved, else (closed
        without solving) its last message."""
        return self.annotate(
            ended=Coalesce("solved_at", "last_message_at", output_field=models.DateTimeField())
        )


class Conversation(TimeStampedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        ON_HOLD = "on_hold", "On hold"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    class Priority(models.IntegerChoices):
        LOW = 1, "Low"
        NORMAL = 2, "Normal"
        HIGH = 3, "High"
        URGENT = 4, "Urgent"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PORTAL = "portal", "Portal"
        WEBFORM = "webform", "Web form"
        PHONE = "phone", "Phone"
        WALK_IN = "walk_in", "Walk-in"
        API = "api", "API"
        INTERNAL = "internal", "Internal request"

    class NeedMet(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
    FINISHED_STATUSES = (Status.SOLVED, Status.CLOSED)  # every status is open or finished

    number = models.BigIntegerField(unique=True)
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="conversations")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="conversations")
    custom_fields = models.JSONField(default=dict, blank=True)
    need = models.ForeignKey(
        ContactReason, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    need_met = models.CharField(max_length=10, choices=NeedMet.choices, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    message_count = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField()
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # When the customer started waiting for us; null when the ball is in their court.
    waiting_since = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the nearest running SLA target breaches; kept by the expectations app, null when no clock runs.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    # A survey answer on this conversation waits for a follow-up; kept by the voice app (its
    # "Bad feedback" view walks conv_follow_up_recent instead of probing every conversation).
    feedback_follow_up = models.BooleanField(default=False)
    # An open promise on this conversation is past its due time; kept by the promises app (its
    # "Promises due" view walks conv_promise_overdue_recent instead of probing every conversation).
    promise_overdue = models.BooleanField(default=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["status", "last_message_at", "id"], name="conv_status_recent"),
            models.Index(fields=["assignee", "status", "last_message_at", "id"], name="conv_assignee_recent"),
            models.Index(fields=["team", "status", "last_message_at", "id"], name="conv_team_recent"),
            models.Index(fields=["status", "waiting_since", "id"], name="conv_status_waiting"),
            models.Index(fields=["customer", "last_message_at"], name="conv_customer_recent"),
            models.Index(fields=["need", "created_at"], name="conv_need_created"),
            models.Index(fields=["created_at"], name="conv_created"),
            # A customer's first conversation after a moment (voice: who came back after answering).
            models.Index(fields=["customer", "created_at"], name="conv_customer_created"),
            # One partial index per built-in inbox view, in the order the view sorts, so a
            # page is an index range scan whatever the table size. "Open" is written as
            # "not solved or closed": SQLite cannot seek an index on a NOT IN term, so even
            # without ANALYZE statistics its planner picks these over (status, ...) ones.
            models.Index(
                fields=["last_message_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]),
                name="conv_open_recent",
            ),
            models.Index(
                fields=["assignee", "last_message_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]),
                name="conv_open_assignee_recent",
            ),
            models.Index(
                fields=["team", "last_message_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]),
                name="conv_open_team_recent",
            ),
            models.Index(
                fields=["priority", "last_message_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]),
                name="conv_open_priority",
            ),
            models.Index(
                fields=["waiting_since", "id"],
                condition=~models.Q(status__in=["solved", "closed"]) & models.Q(waiting_since__isnull=False),
                name="conv_open_waiting",
            ),
            models.Index(fields=["status", "solved_at", "id"], name="conv_status_solved"),
            # Over every status, for filters that do not limit it (a tag, a channel, a saved
            # view), sorted by activity or by priority: a page walks one and stops.
            models.Index(fields=["last_message_at", "id"], name="conv_all_recent"),
            models.Index(fields=["priority", "last_message_at", "id"], name="conv_all_priority"),
            # "Breaching soon" and the "time left" sort (expectations).
            models.Index(
                fields=["sla_due_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]) & models.Q(sla_due_at__isnull=False),
                name="conv_open_sla_due",
            ),
            models.Index(
                fields=["assignee", "sla_due_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]) & models.Q(sla_due_at__isnull=False),
                name="conv_open_assignee_sla_due",
            ),
            models.Index(
                fields=["team", "sla_due_at", "id"],
                condition=~models.Q(status__in=["solved", "closed"]) & models.Q(sla_due_at__isnull=False),
                name="conv_open_team_sla_due",
            ),
            # "Bad feedback" (voice): a few percent of the conversations, newest activity first.
            models.Index(
                fields=["last_message_at", "id"],
                condition=models.Q(feedback_follow_up=True),
                name="conv_follow_up_recent",
            ),
            # "Promises due" (promises): about one percent of the conversations, newest activity first.
            models.Index(
                fields=["last_message_at", "id"],
                condition=models.Q(promise_overdue=True),
                name="conv_promise_overdue_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", "From the customer"
        OUTBOUND = "out", "From the team"
        INTERNAL = "internal", "Internal"

    class Kind(models.TextChoices):
        REPLY = "reply", "Reply"
        NOTE = "note", "Internal note"
        PHONE = "phone", "Phone call"
        WALK_IN = "walk_in", "Walk-in"

    class Delivery(models.TextChoices):
        NONE = "", "Not sent by email"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPLY)
    channel = models.CharField(max_length=10, choices=Conversation.Channel.choices)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    text = models.TextField(blank=True, help_text="Full plain text, as received or written.")
    new_text = models.TextField(blank=True, help_text="What is new: quotes and signature removed.")
    html = models.TextField(blank=True, help_text="Sanitised HTML body, if any.")
    # Email identity, for threading and de-duplication.
    message_id = models.CharField(max_length=500, blank=True, db_index=True)
    raw_path = models.CharField(max_length=300, blank=True, help_text="Storage name of the raw source.")
    delivery = models.CharField(max_length=10, choices=Delivery.choices, blank=True, default="")
    delivery_error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at", "id"], name="msg_conv_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.conversation_id}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE

    @property
    def display_text(self) -> str:
        return self.new_text or self.text


def attachment_path(instance: Attachment, filename: str) -> str:
    digest = instance.sha256 or "unknown"
    return f"attachments/{digest[:2]}/{digest}/{filename[-120:]}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=400)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_id = models.CharField(max_length=255, blank=True, help_text="For inline cid: images.")
    is_inline = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Draft(models.Model):
    """An unsent reply or note, saved automatically per agent and conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="drafts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(max_length=10, choices=Message.Kind.choices, default=Message.Kind.REPLY)
    text = models.TextField(blank=True)
    # The last message the agent had seen when they started drafting ("listen first").
    seen_message_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "agent"], name="one_draft_per_agent")]

    def __str__(self) -> str:
        return f"Draft by {self.agent_id} on {self.conversation_id}"


class SavedView(models.Model):
    """An agent's own inbox view: a name, filters and a sort. Shared views show for everyone."""

    class Sort(models.TextChoices):
        RECENT = "recent", "Latest activity"
        OLDEST = "oldest", "Oldest activity"
        WAITING = "waiting", "Waiting longest"
        CREATED = "created", "Newest first"
        PRIORITY = "priority", "Highest priority"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    filters = models.JSONField(default=dict, blank=True)
    # Any inbox sort (selectors.SORTS, which feature apps extend), not only the built-in ones.
    sort = models.CharField(max_length=20, default=Sort.RECENT)
    is_shared = models.BooleanField(default=False, help_text="Every agent sees this view.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A canned reply or note. Placeholders: {customer_name}, {agent_name}, {conversation_number}."""

    name = models.CharField(max_length=100)
    text = models.TextField()
    kind = models.CharField(
        max_length=10,
        choices=[(Message.Kind.REPLY, "Reply"), (Message.Kind.NOTE, "Internal note")],
        default=Message.Kind.REPLY,
    )
    set_status = models.CharField(
        max_length=10,
        choices=Conversation.Status.choices,
        blank=True,
        help_text="Status to set when sending.",
    )
    need = models.ForeignKey(
        ContactReason,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="macros",
        help_text="Suggested first when the conversation has this need.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="Empty for a macro the whole team shares.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
