"""Records of the data app: erasures (without the erased data), retention policies, imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.lookups import IsNull


class Erasure(models.Model):
    """One erasure carried out. Holds no personal data: the customer's old id and counts only."""

    class Mode(models.TextChoices):
        DELETE = "delete", "Delete conversations"
        ANONYMISE = "anonymise", "Keep conversations, replace the person's data"

    customer_id_erased = models.BigIntegerField()
    mode = models.CharField(max_length=10, choices=Mode.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure of customer {self.customer_id_erased} ({self.mode})"


class RetentionPolicy(models.Model):
    """Per team (or, with no team, for conversations without one): close, then delete, old conversations."""

    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="retention_policy"
    )
    close_after_months = models.PositiveIntegerField(
        null=True, blank=True, help_text="Close solved or idle conversations with no activity for this long."
    )
    delete_after_months = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Delete closed conversations (and their raw mail) with no activity for this long.",
    )
    is_active = models.BooleanField(default=False, help_text="Off until someone has read a dry run.")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_report = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            # One policy for conversations without a team. A unique index on `team` alone cannot
            # say it (NULLs never collide), so the index is on "team is null", for those rows only.
            models.UniqueConstraint(
                IsNull(models.F("team"), True),
                condition=models.Q(team__isnull=True),
                name="one_teamless_retention_policy",
            )
        ]

    def __str__(self) -> str:
        return f"Retention for {self.team or 'conversations without a team'}"


class ImportedObject(models.Model):
    """What an import created, by its id in the source system: the key to idempotent, resumable imports."""

    source = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "external_id"], name="one_import_per_source_id")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id} → {self.object_id}"


class ImportRun(models.Model):
    source = models.CharField(max_length=20)
    path = models.CharField(max_length=500)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Import from {self.source} at {self.started_at:%Y-%m-%d %H:%M}"


class DataExport(models.Model):
    """A customer's data ZIP, built by the worker (export_files.py), downloadable until it expires.

    At most one is waiting or being built per (customer, audience): asking twice gives the same."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting"
        BUILDING = "building", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Audience(models.TextChoices):
        TEAM = "team", "Team (everything)"
        CUSTOMER = "customer", "Customer (portal)"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="data_exports")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file = models.FileField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "audience", "-created_at"], name="data_export_of_customer"),
            models.Index(fields=["state", "expires_at"], name="data_export_state"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "audience"],
                condition=models.Q(state__in=["queued", "building"]),
                name="one_open_export_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} export of customer {self.customer_id} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.BUILDING)
