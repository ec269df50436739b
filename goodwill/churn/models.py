"""Silent-churn watch: per-team settings, the watch list (a snapshot rebuilt daily), outreach."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Signal(models.TextChoices):
    """What made the last experience bad."""

    FEEDBACK = "feedback", "Bad feedback answer"
    PROMISE = "promise", "Promise broken or late"
    MOOD = "mood", "Mood fell"
    NEED = "need", "Need not met"
    SLA = "sla", "Service level breached"
    COMPLAINT = "complaint", "Complaint"


class ChurnSettings(models.Model):
    """A team's thresholds. A team without a row uses the defaults (the field defaults)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="churn_settings")
    enabled = models.BooleanField(default=True, help_text="List this team's customers at all.")
    factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Overdue when silent for longer than this many usual intervals.",
    )
    default_interval_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1)],
        help_text="The usual interval assumed for customers with a short history (also its floor).",
    )
    min_interval_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1)],
        help_text="No usual interval is shorter than this, however often a customer writes.",
    )
    min_history = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(2)],
        help_text="Conversations needed before a customer's own rhythm counts.",
    )
    conduct_at_most = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="A conduct rating (1–5) at or below this is a bad answer.",
    )
    mood_at_most = models.FloatField(
        default=-0.3,
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
        help_text="The last message's sentiment (-1..1) at or below this counts as a fallen mood.",
    )
    use_feedback = models.BooleanField(default=True, verbose_name="Bad feedback answers")
    use_promises = models.BooleanField(default=True, verbose_name="Broken or late promises")
    use_mood = models.BooleanField(default=True, verbose_name="Mood fell")
    use_need = models.BooleanField(default=True, verbose_name="Need not met")
    use_sla = models.BooleanField(default=True, verbose_name="Service level breached")
    use_complaints = models.BooleanField(default=True, verbose_name="Complaints")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "churn settings"

    def __str__(self) -> str:
        return f"Churn watch settings of {self.team}"

    def uses(self, signal: str) -> bool:
        return bool(
            {
                Signal.FEEDBACK: self.use_feedback,
                Signal.PROMISE: self.use_promises,
                Signal.MOOD: self.use_mood,
                Signal.NEED: self.use_need,
                Signal.SLA: self.use_sla,
                Signal.COMPLAINT: self.use_complaints,
            }[Signal(signal)]
        )


class ChurnEntry(models.Model):
    """One listed customer: last experience bad, silent past their usual interval. Rebuilt whole."""

    rank = models.PositiveIntegerField(help_text="1 = most valuable, longest known.")
    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="churn_entry"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    first_contact_at = models.DateTimeField()
    last_contact_at = models.DateTimeField()
    conversation_count = models.PositiveIntegerField()
    usual_interval_days = models.FloatField()
    interval_basis = models.CharField(max_length=120, help_text="How the usual interval was found.")
    silent_days = models.FloatField()
    factor = models.FloatField()
    signals = models.JSONField(default=list, help_text="Signal codes, strongest first.")
    reasons = models.JSONField(default=list, help_text="Each signal in words.")
    reason = models.CharField(max_length=1000, help_text="The whole reason in one sentence or two.")
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["rank"], name="churn_entry_rank")]
        indexes = [models.Index(fields=["team", "rank"], name="churn_entry_team_rank")]

    def __str__(self) -> str:
        return f"#{self.rank} {self.customer_id}: {self.reason[:60]}"

    @property
    def usual_days(self) -> int:
        return round(self.usual_interval_days)

    @property
    def silent_for(self) -> int:
        return round(self.silent_days)

    @property
    def factor_text(self) -> str:
        return f"{self.factor:g}"


class ChurnRun(models.Model):
    """One rebuild of the watch list (daily job, button or command): what it did and how long."""

    started_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    customers_seen = models.PositiveIntegerField(default=0)
    listed = models.PositiveIntegerField(default=0)
    trigger = models.CharField(max_length=20, default="job")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Churn watch rebuilt {self.started_at:%Y-%m-%d %H:%M}: {self.listed} listed"


class Outreach(models.Model):
    """An agent reached out to a listed customer (an outbound conversation they started)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="churn_outreach"
    )
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="+")
    after_conversation = models.ForeignKey(
        "conversations.Conversation",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The bad last experience it answers.",
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["customer", "-created_at"], name="churn_outreach_customer")]

    def __str__(self) -> str:
        return f"Outreach to {self.customer_id} in {self.conversation_id}"
