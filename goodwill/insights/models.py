"""Summary tables kept by the worker from the event seam; dashboards read these, never raw rows.

Three daily tables hold additive counts and sums per key, so any filter combination is a SUM
over an index range: `DailyFigures` per (day, team, channel, need, internal), the table most
pages read; `DailyAgentFigures` adds the agent; `DailyOrganisationFigures` adds the agent and
the organisation, for customers in one (a key with an organisation is nearly one conversation,
so that table is only read through its (organisation, day) index). A
conversation is counted under its current team, need, assignee and customer: when one of them
changes, its contribution moves. To move it, `Contribution` remembers what each conversation
last added (a compact list), and a refresh applies only the difference.

Keys are plain integers (0 = none), not foreign keys: a summary never cascades or blocks a
delete, and NULLs would make the unique key useless.
"""

from __future__ import annotations

from django.db import models

# Additive measures, in the order `Contribution.parts` stores them.
MEASURES = (
    "opened",  # conversations opened that day (counted under their assignee)
    "solved",  # conversations solved that day (their current solved_at)
    "inbound",  # customer messages received that day
    "replies",  # replies sent that day (counted under the replying agent)
    "first_response_seconds",  # opened that day and answered: wall-clock seconds to the first reply
    "first_responses",
    "resolution_seconds",  # solved that day: wall-clock seconds from opening to solved
    "resolutions",
    "first_response_met",  # SLA outcomes of conversations opened that day
    "first_response_breached",
    "resolution_met",
    "resolution_breached",
    "mood_sum",  # sentiment (-1..1) of inbound messages scored that day, summed
    "mood_scored",
    "mood_negative",  # of those, how many read as negative (sentiment <= -0.05)
)


class Keys(models.Model):
    """What a conversation is counted under: its team, channel, need, agent, organisation, and
    whether its customer is internal (shared by the daily tables and `OpenWork`)."""

    team_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=10, blank=True)
    need_id = models.IntegerField(default=0)
    agent_id = models.IntegerField(default=0)
    organisation_id = models.IntegerField(default=0)
    internal = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Figures(Keys):
    """The key and the additive measures, shared by the three daily tables."""

    day = models.DateField()

    opened = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    inbound = models.IntegerField(default=0)
    replies = models.IntegerField(default=0)
    first_response_seconds = models.BigIntegerField(default=0)
    first_responses = models.IntegerField(default=0)
    resolution_seconds = models.BigIntegerField(default=0)
    resolutions = models.IntegerField(default=0)
    first_response_met = models.IntegerField(default=0)
    first_response_breached = models.IntegerField(default=0)
    resolution_met = models.IntegerField(default=0)
    resolution_breached = models.IntegerField(default=0)
    mood_sum = models.FloatField(default=0.0)
    mood_scored = models.IntegerField(default=0)
    mood_negative = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"figures of {self.day} (team {self.team_id}, {self.channel or 'any channel'})"


KEY = ["day", "team_id", "channel", "need_id", "agent_id", "organisation_id", "internal"]


class DailyFigures(Figures):
    """Per day, team, channel, need and internal/external: what most dashboards read (agent and
    organisation are always 0 here, so the table stays a few hundred rows a day at any size)."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY, name="insights_daily_key")]


class DailyAgentFigures(Figures):
    """The same, split by agent (organisation 0): read with the agent filter and for workload."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY, name="insights_agent_key")]
        indexes = [models.Index(fields=["agent_id", "day"], name="insights_agent_day")]


class DailyOrganisationFigures(Figures):
    """Full keys, for conversations of customers in an organisation: read with that filter only."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=KEY, name="insights_org_key")]
        indexes = [models.Index(fields=["organisation_id", "day"], name="insights_org_day")]


class OpenWork(Keys):
    """One row per conversation open now (not solved or closed), under its current keys; the
    agent is the assignee (0: nobody). Workload's "open now" counts these rows, so its cost follows
    the open conversations, never the history. Kept by the same refresh as the daily figures."""

    conversation_id = models.BigIntegerField(primary_key=True)

    class Meta:
        indexes = [
            models.Index(fields=["team_id", "agent_id"], name="insights_open_team"),
            models.Index(fields=["agent_id"], name="insights_open_agent"),
            models.Index(fields=["organisation_id"], name="insights_open_org"),
        ]

    def __str__(self) -> str:
        return f"conversation {self.conversation_id} open (agent {self.agent_id})"


class Contribution(models.Model):
    """What one conversation last added to `DailyFigures`: [[key…, measure values…], …]."""

    conversation_id = models.BigIntegerField(primary_key=True)
    parts = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"contribution of conversation {self.conversation_id}"


class SweepState(models.Model):
    """Where the catch-up sweep is in the event log, and whether a rebuild is running (one row).

    Each sweep refreshes the conversations of events after `previous_event_id` (the newest event
    two sweeps ago), so every event is looked at by two sweeps a minute apart: late commits and
    other apps' subscribers that ran after insights' are caught by the second look.
    """

    previous_event_id = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)
    swept_at = models.DateTimeField(null=True)
    rebuilding_since = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"insights swept to event {self.last_event_id}"
