"""Service recovery: a case opened when the service failed a customer, followed until it is made right."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecoveryCase(models.Model):
    class Trigger(models.TextChoices):
        SLA_BREACH = "sla_breach", "Service level breached"
        PROMISE_LATE = "promise_late", "Promise kept late"
        PROMISE_BROKEN = "promise_broken", "Promise broken"
        BAD_OUTCOME = "bad_outcome", "Need not met (feedback)"
        BAD_CONDUCT = "bad_conduct", "Poor treatment (feedback)"
        REOPENED = "reopened", "Conversation reopened"
        MOOD_TURN = "mood_turn", "Mood turned for the worse"
        COMPLAINT = "complaint", "Complaint"
        CHURN_RISK = "churn_risk", "Went quiet after a bad experience"
        MANUAL = "manual", "Opened by hand"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Result(models.TextChoices):
        NONE = "", "Not yet known"
        RECOVERED = "recovered", "Recovered"
        NOT_RECOVERED = "not_recovered", "Not recovered"
        NO_RESPONSE = "no_response", "No response"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="recovery_cases"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_cases",
        help_text="Where the failure happened, if in a conversation.",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    # One case per failure: e.g. "sla:<target id>", "promise:<id>", "feedback:<id>:outcome",
    # "reopened:<event id>", "manual:<uuid>". Unique, so retries and parallel workers open it once.
    source_key = models.CharField(max_length=120, unique=True)
    reason = models.CharField(max_length=300, help_text="What went wrong, in words.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recovery_cases",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True, default="")
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-opened_at"], name="recovery_customer"),
            models.Index(fields=["status", "due_at"], name="recovery_status_due"),
            models.Index(fields=["opened_at"], name="recovery_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()}: {self.reason}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
