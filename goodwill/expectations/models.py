"""SLA policies, the schedules they count in, every target's clock and outcome, and the
monthly figures of what customers waited (the expectations page)."""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.db import models
from django.db.models import Q


class Schedule(models.Model):
    """Business hours in one time zone plus holidays; teams count their SLA time in it."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # weekday "0" (Monday) … "6" → [["09:00", "17:00"], …]; "00:00" as an end is midnight.
    hours = models.JSONField(default=dict, blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Used for teams without a schedule of their own, and for no team."
    )
    teams = models.ManyToManyField("accounts.Team", through="ScheduleTeam", blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_schedule"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def weekly(self) -> dict[int, list[tuple[time, time]]]:
        return {
            int(day): [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in intervals]
            for day, intervals in (self.hours or {}).items()
        }


class ScheduleTeam(models.Model):
    """A team's schedule: at most one per team (the database says so)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE)
    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="sla_schedule")

    def __str__(self) -> str:
        return f"{self.team_id} → {self.schedule_id}"


class Holiday(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["schedule", "date"], name="one_holiday_per_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Conditions (all given ones must hold) and business-time targets; first match by position wins."""

    class CustomerKind(models.TextChoices):
        ANY = "", "Any customer"
        INTERNAL = "internal", "Internal (colleagues)"
        EXTERNAL = "external", "External"

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Low"), (2, "Normal"), (3, "High"), (4, "Urgent")]
    )
    channel = models.CharField(max_length=10, blank=True)
    organisation = models.ForeignKey(
        "customers.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey(
        "conversations.ContactReason", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer_kind = models.CharField(max_length=10, choices=CustomerKind.choices, blank=True, default="")
    # Targets in business minutes; empty: no such target.
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    warn_before_minutes = models.PositiveIntegerField(default=30)
    # At breach:
    notify_on_breach = models.BooleanField(default=True, help_text="Tell the assignee and the team leads.")
    raise_priority = models.BooleanField(default=False, help_text="One step up, up to urgent.")
    reassign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def minutes_for(self, kind: str) -> int | None:
        return {
            SlaTarget.Kind.FIRST_RESPONSE: self.first_response_minutes,
            SlaTarget.Kind.NEXT_RESPONSE: self.next_response_minutes,
            SlaTarget.Kind.RESOLUTION: self.resolution_minutes,
        }[SlaTarget.Kind(kind)]


class SlaTarget(models.Model):
    """One clock: a target of a policy on a conversation, from start to outcome.

    While running, `due_at` is when it breaches; while paused (waiting on the customer) it is
    empty and `remaining_seconds` keeps the business time left. Once done, `outcome` and
    `margin_seconds` (business time to spare, negative when late) are what reports read.
    """

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", "First response"
        NEXT_RESPONSE = "next_response", "Next response"
        RESOLUTION = "resolution", "Resolution"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    class Outcome(models.TextChoices):
        NONE = "", "None"
        MET = "met", "Met"
        BREACHED = "breached", "Breached"

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="sla_targets"
    )
    policy = models.ForeignKey(SlaPolicy, null=True, on_delete=models.SET_NULL, related_name="targets")
    policy_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    target_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_seconds = models.IntegerField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When escalation ran.")
    escalation = models.TextField(blank=True, help_text="What was done at breach.")
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    margin_seconds = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "status"], name="sla_target_conversation"),
            # The sweep's two questions, "which clocks to warn / escalate now", as range scans
            # over the few rows still waiting for it.
            models.Index(
                fields=["warn_at"],
                condition=Q(status="running", warned_at__isnull=True),
                name="sla_target_to_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(status="running", breached_at__isnull=True),
                name="sla_target_to_escalate",
            ),
            models.Index(fields=["completed_at"], name="sla_target_completed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "kind"],
                condition=Q(status__in=["running", "paused"]),
                name="one_live_target_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.conversation_id}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.RUNNING, self.Status.PAUSED)


class WaitingFigure(models.Model):
    """What customers of one segment waited in one month, for one kind of wait.

    Maintained by the `expectations.figures` job. Segments: "all", "external", "internal",
    and "org:<id>" per organisation. `satisfaction_*` stay empty until feedback exists.
    """

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", "First response"
        RESOLUTION = "resolution", "Resolution"

    month = models.DateField()
    segment = models.CharField(max_length=40)
    segment_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    count = models.PositiveIntegerField(default=0)
    p50_seconds = models.PositiveIntegerField(null=True)
    p75_seconds = models.PositiveIntegerField(null=True)
    p90_seconds = models.PositiveIntegerField(null=True)
    p95_seconds = models.PositiveIntegerField(null=True)
    mean_seconds = models.PositiveIntegerField(null=True)
    # Counts per waiting-time band (see figures.BANDS), for the distribution chart.
    bands = models.JSONField(default=list)
    # For later: mean satisfaction per band, and how many answers it rests on.
    satisfaction_by_band = models.JSONField(null=True, blank=True)
    satisfaction_count = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "segment", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["month", "segment", "kind"], name="one_figure_per_month_segment")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.segment} {self.kind}"


class FiguresState(models.Model):
    """Where the figures job stopped reading events (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"figures at event {self.last_event_id}"


def month_start(d: date) -> date:
    return d.replace(day=1)
