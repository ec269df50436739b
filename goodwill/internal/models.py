"""An agent asks another team for help from a conversation: the request is a conversation of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LinkedRequest(models.Model):
    origin = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="asked_for_help"
    )
    request = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="asked_from"
    )
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.origin_id} asked #{self.request_id}"
