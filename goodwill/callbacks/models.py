"""Call-backs: an agent promises to phone a customer at a time, and keeps it by logging the call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CallBack(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "To call"
        DONE = "done", "Called"
        CANCELLED = "cancelled", "Cancelled"

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="callbacks"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="callbacks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="callbacks",
        help_text="Who calls.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    due_at = models.DateTimeField()
    phone = models.CharField(max_length=40)
    note = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    confirm_to_customer = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    call_message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The logged call that kept it.",
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"], name="callback_open_due", condition=models.Q(state="open")
            ),
            models.Index(fields=["customer", "-created_at"], name="callback_customer"),
        ]

    def __str__(self) -> str:
        return f"Call {self.phone} at {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def is_overdue(self, now: object = None) -> bool:
        return self.is_open and self.due_at <= (now or timezone.now())  # type: ignore[operator]
