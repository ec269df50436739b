"""The promise ledger: what an agent promised a customer, by when, and how it ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Promise(models.Model):
    """One commitment to a customer, confirmed by an agent (detected in a draft or added by hand).

    Stands from confirmation; `message` is the reply that carried it, linked once that reply is
    sent (subscriber of `message.replied`). The worker reminds the owner before `due_at`
    (`reminded_at`) and flags it at `due_at` while still open (`overdue_at`).
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        DROPPED = "dropped", "Dropped"  # detected in a draft, and the agent said it is not a promise

    class Outcome(models.TextChoices):
        KEPT_EARLY = "kept_early", "Kept early"
        KEPT_ON_TIME = "kept_on_time", "Kept on time"
        LATE = "late", "Kept late"
        BROKEN = "broken", "Broken"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        DETECTED = "detected", "Found in a draft"
        MANUAL = "manual", "Added by hand"

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="promises"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="promises")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=500)
    due_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")  # the owner's, when confirmed
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DETECTED)
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="promises"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    # The conversation's team, copied on write and kept when the conversation moves (subscriber of
    # `conversation.team`), so reports group and filter by team without joining the conversations.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # the worker's sweeps: open promises not yet flagged, by due time
            models.Index(
                fields=["due_at"],
                condition=Q(state="open", overdue_at__isnull=True),
                name="promise_pending_due",
            ),
            # row badges and Conversation.promise_overdue ("Promises due"): conversations with an open, flagged promise
            models.Index(
                fields=["conversation"],
                condition=Q(state="open", overdue_at__isnull=False),
                name="promise_overdue",
            ),
            models.Index(fields=["conversation", "created_at"], name="promise_conversation"),
            models.Index(fields=["customer", "created_at"], name="promise_customer"),
            models.Index(fields=["owner", "state", "due_at"], name="promise_owner"),
            # insights "Promise keeping": closed promises by closing time, outcome, owner and team
            # (covering: the grouped query reads the index only)
            models.Index(
                fields=["closed_at", "outcome", "owner", "team"],
                condition=Q(state="closed"),
                name="promise_closed_team",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.state == self.State.OPEN and self.overdue_at is not None

    @property
    def kept(self) -> bool:
        return self.outcome in (self.Outcome.KEPT_EARLY, self.Outcome.KEPT_ON_TIME, self.Outcome.LATE)
