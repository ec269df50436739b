"""Rules (conditions → actions) admins build without code, their runs, and assignment settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Rule(models.Model):
    """One automation rule. Conditions and actions are rows kept as JSON lists:

    - condition: ``{"field": "priority", "op": "is", "value": "3"}`` (see `conditions.FIELDS`)
    - action: ``{"type": "set_priority", "value": "3"}`` (see `actions.ACTIONS`)

    Event rules run when one of their triggers happens; time rules are checked by the worker
    every few minutes against open conversations. Rules run in `position` order.
    """

    class Kind(models.TextChoices):
        EVENT = "event", "When something happens"
        TIME = "time", "On a clock (time rule)"

    class Trigger(models.TextChoices):
        CREATED = "created", "A conversation is created"
        UPDATED = "updated", "A conversation is updated"
        CUSTOMER_REPLIED = "customer_replied", "The customer replies"
        NOTE_ADDED = "note_added", "A note is added"

    class Match(models.TextChoices):
        ALL = "all", "All conditions match"
        ANY = "any", "Any condition matches"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.EVENT)
    triggers = models.JSONField(default=list, blank=True)
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Rules run in this order, lowest first.")
    is_active = models.BooleanField(default=False, help_text="Off until switched on.")
    # The rule's own weekly window for the "business hours" condition.
    hours_days = models.JSONField(default=list, blank=True, help_text="Weekdays 0 (Monday) to 6.")
    hours_start = models.TimeField(null=True, blank=True)
    hours_end = models.TimeField(null=True, blank=True)
    hours_zone = models.CharField(max_length=64, default="UTC")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """A rule acted on a conversation: once per (rule, event), or once per time-rule episode
    (the stretch of time its conditions hold for that conversation).

    `chain` holds the ids of the rules whose changes led to this run (loop guard), `actions`
    what was done, one line each; a dry run is never stored.
    """

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="rule_runs"
    )
    event = models.ForeignKey("core.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    open_episode = models.BooleanField(
        default=False,
        help_text="Time rules: the conditions still hold since this run (it fires again only after they stop).",
    )
    chain = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "event"], condition=Q(event__isnull=False), name="one_run_per_rule_event"
            ),
            models.UniqueConstraint(
                fields=["rule", "conversation"], condition=Q(open_episode=True), name="one_open_episode"
            ),
        ]
        indexes = [models.Index(fields=["conversation", "-created_at"], name="rulerun_conversation")]

    def __str__(self) -> str:
        return f"{self.rule} on conversation {self.conversation_id}"


class RuleEffect(models.Model):
    """An audit event a rule's action caused: the link from `core.Event` to the rule's name."""

    event = models.OneToOneField("core.Event", on_delete=models.CASCADE, primary_key=True, related_name="+")
    run = models.ForeignKey(RuleRun, on_delete=models.CASCADE, related_name="effects")

    def __str__(self) -> str:
        return f"event {self.event_id} by {self.run}"


class AssignmentPolicy(models.Model):
    """How new conversations of a team are handed to its agents."""

    class Mode(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round-robin"
        LOAD_BALANCED = "load_balanced", "Fewest open conversations"

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="assignment_policy")
    mode = models.CharField(max_length=15, choices=Mode.choices, default=Mode.ROUND_ROBIN)
    max_open = models.PositiveIntegerField(
        default=20, help_text="Most open conversations one agent is given (0: no limit)."
    )
    by_skill = models.BooleanField(
        default=False, help_text="Only agents with the conversation's need among their skills."
    )
    return_after_minutes = models.PositiveIntegerField(
        default=120,
        help_text="Give an away agent's open conversations back to the team after this long (0: never).",
    )
    last_agent_id = models.BigIntegerField(null=True, blank=True, help_text="Round-robin cursor.")

    class Meta:
        verbose_name_plural = "assignment policies"

    def __str__(self) -> str:
        return f"{self.get_mode_display()} for {self.team}"


class AgentSkill(models.Model):
    """An agent handles this need well: assignment by skill prefers them."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skills")
    need = models.ForeignKey("conversations.ContactReason", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "need"], name="unique_agent_skill")]

    def __str__(self) -> str:
        return f"{self.agent} knows {self.need}"
