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
    # Added with playbooks: from `follow_up_at` (the follow-up step's due time) the worker looks at
    # what the customer did next and sets the result.
    follow_up_at = models.DateTimeField(
        null=True, blank=True, help_text="From then on the result is measured."
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-opened_at"], name="recovery_customer"),
            models.Index(fields=["status", "due_at"], name="recovery_status_due"),
            models.Index(fields=["opened_at"], name="recovery_opened"),
            models.Index(
                fields=["follow_up_at"], condition=models.Q(status="open"), name="recovery_to_measure"
            ),
            models.Index(fields=["-closed_at"], condition=models.Q(status="closed"), name="recovery_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()}: {self.reason}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class StepKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    FIX = "fix", "Fix"
    GESTURE = "gesture", "Goodwill gesture"
    FOLLOW_UP = "follow_up", "Follow up"
    OTHER = "other", "Other"


class TriggerSettings(models.Model):
    """Which failures open a case for a team, and how bad is bad. The row without a team is the default."""

    class Outcomes(models.TextChoices):
        NO = "no", "Need not met"
        PARTLY = "partly", "Need not met or only partly"

    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="recovery_settings"
    )
    on_sla_breach = models.BooleanField("Service level breached", default=True)
    on_promise_late = models.BooleanField("Promise kept late", default=False)
    on_promise_broken = models.BooleanField("Promise broken", default=True)
    on_bad_outcome = models.BooleanField("Need not met (feedback)", default=True)
    bad_outcomes = models.CharField(
        "A bad outcome is", max_length=10, choices=Outcomes.choices, default=Outcomes.NO
    )
    on_bad_conduct = models.BooleanField("Poor treatment (feedback)", default=True)
    conduct_at_most = models.PositiveSmallIntegerField(
        "Treatment rated at most", default=2, help_text="1 to 5; a rating this low or lower opens a case."
    )
    on_reopened = models.BooleanField("Conversation reopened", default=True)
    on_mood_turn = models.BooleanField("Mood turned for the worse", default=True)
    mood_turn_to = models.FloatField(
        "Mood turned to at most",
        default=-0.5,
        help_text="Sentiment from -1 to 1; turns to this or lower count.",
    )
    on_complaint = models.BooleanField("Complaint marked", default=True)
    no_response_days = models.PositiveSmallIntegerField(
        "No response after (days)",
        default=14,
        help_text="Silence this long after the follow-up: no response.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(team__isnull=True), name="recovery_one_default_settings"
            )
        ]

    def __str__(self) -> str:
        return f"Recovery triggers for {self.team or 'every team'}"


class Playbook(models.Model):
    """The steps a team takes to make a failure right. The playbook without a team is the default."""

    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="recovery_playbook"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(team__isnull=True), name="recovery_one_default_playbook"
            )
        ]

    def __str__(self) -> str:
        return f"Recovery playbook for {self.team or 'every team'}"


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=StepKind.choices, default=StepKind.OTHER)
    title = models.CharField(max_length=200)
    due_days = models.PositiveSmallIntegerField(
        default=1, help_text="Due this many days after the case opens."
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class CaseStep(models.Model):
    """One step of a case, copied from the playbook when the case opened (later edits leave it alone)."""

    case = models.ForeignKey(RecoveryCase, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=StepKind.choices, default=StepKind.OTHER)
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="What the goodwill gesture cost."
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
