"""Base models shared by every app: timestamps, counters and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named, gap-free counter, e.g. the conversation numbers people see."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Event(models.Model):
    """One change to anything in Goodwill: who, what, when, and the values before and after.

    Append-only: rows are never updated or deleted by the application. The customer
    and conversation columns make the per-customer and per-conversation timelines
    cheap index scans.
    """

    class Kind(models.TextChoices):
        CONVERSATION_OPENED = "conversation.opened", "Conversation opened"
        MESSAGE_RECEIVED = "message.received", "Message received"
        REPLY_SENT = "message.replied", "Reply sent"
        NOTE_ADDED = "message.note", "Internal note added"
        CALL_LOGGED = "message.phone", "Phone call logged"
        WALK_IN_LOGGED = "message.walk_in", "Walk-in logged"
        STATUS_CHANGED = "conversation.status", "Status changed"
        PRIORITY_CHANGED = "conversation.priority", "Priority changed"
        ASSIGNED = "conversation.assigned", "Assigned"
        TEAM_CHANGED = "conversation.team", "Team changed"
        TAGS_CHANGED = "conversation.tags", "Tags changed"
        NEED_CHANGED = "conversation.need", "Need changed"
        NEED_MET_CHANGED = "conversation.need_met", "Need met changed"
        FIELDS_CHANGED = "conversation.fields", "Custom fields changed"
        SUBJECT_CHANGED = "conversation.subject", "Subject changed"
        MERGED = "conversation.merged", "Merged"
        SPLIT = "conversation.split", "Split"
        CUSTOMER_CREATED = "customer.created", "Customer created"
        CUSTOMER_CHANGED = "customer.changed", "Customer changed"
        ORGANISATION_CHANGED = "organisation.changed", "Organisation changed"
        AGENT_CHANGED = "agent.changed", "Agent changed"
        INTAKE_QUARANTINED = "intake.quarantined", "Incoming message quarantined"
        DELIVERY_FAILED = "delivery.failed", "Delivery failed"
        # What feature apps found, announced on the seam so other features can react (service
        # recovery opens cases on these; insights and webhooks may count or forward them). The
        # app that finds the fact records the event in the same transaction as its own row.
        SLA_BREACHED = "sla.breached", "Service level breached"
        PROMISE_LATE = "promise.late", "Promise kept late"
        PROMISE_BROKEN = "promise.broken", "Promise broken"
        FEEDBACK_ANSWERED = "feedback.answered", "Feedback answered"
        MOOD_TURNED = "mood.turned", "Mood turned for the worse"
        COMPLAINT_MARKED = "complaint.marked", "Complaint marked"
        CUSTOMER_RETURNED = "customer.returned", "Customer came back"
        RECOVERY_OPENED = "recovery.opened", "Recovery case opened"
        RECOVERY_CLOSED = "recovery.closed", "Recovery case closed"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="event_conversation_time"),
            models.Index(fields=["customer", "created_at"], name="event_customer_time"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class EventReceipt(models.Model):
    """Subscriber `subscriber` has handled `event` (see core/events.py).

    Written in the same transaction as the subscriber's own changes, so a retried or
    duplicated task never applies an event twice.
    """

    subscriber = models.CharField(max_length=200)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receipts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "event"], name="one_receipt_per_subscriber")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} handled event {self.event_id}"


class WorkerBeat(models.Model):
    """A running `goodwill worker`; `seen_at` is its heartbeat (both task backends)."""

    worker_id = models.CharField(max_length=64, unique=True)
    backend = models.CharField(max_length=16)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    current_task = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"worker {self.worker_id} on {self.hostname}:{self.pid}"


class TaskLease(models.Model):
    """A database-queue task claimed by a worker. Unless renewed it expires, and the task runs again."""

    task_id = models.UUIDField(unique=True)
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"lease on {self.task_id} by {self.worker_id}"


class Delivery(models.Model):
    """The idempotency record of one outgoing send, e.g. key "reply:42" or "ack:7".

    SENDING is written before the SMTP transaction and SENT after it, so a worker that
    finds SENDING with an expired lease knows the outcome is unknown and resends the
    same Message-ID.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    resends = models.PositiveIntegerField(default=0, help_text="Sends whose earlier outcome was unknown.")
    sweeps = models.PositiveIntegerField(default=0, help_text="Times the sweeper enqueued it again.")
    message_id = models.CharField(max_length=500, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    swept_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["state", "lease_until"], name="delivery_state_lease")]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class PeriodicJob(models.Model):
    """When a periodic job (goodwill/schedules.py) runs next; claiming it moves `next_run_at` on."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_result = models.TextField(blank=True)
    last_error = models.TextField(blank=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name
