"""Two-axis feedback: was the need met (outcome) and how was the customer treated (conduct).

A survey is made when a conversation is solved, sent after the team's delay, and answered by
one-click signed links (no login). Answers stay on the survey row, which points at the
conversation, the agent who served and the customer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.lookups import IsNull
from django.utils import timezone


class SurveyPolicy(models.Model):
    """When and how a team asks; the policy without a team is the default for everyone else."""

    team = models.OneToOneField(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="survey_policy"
    )
    is_active = models.BooleanField(default=True)
    delay_hours = models.PositiveIntegerField(default=24, help_text="Hours after solving before the survey goes out.")
    cooldown_days = models.PositiveIntegerField(default=30, help_text="Never survey one customer more often than this.")
    by_email = models.BooleanField(default=True)
    in_portal = models.BooleanField(default=True)
    ask_effort = models.BooleanField(
        default=False, help_text="After solving, ask the effort question (CES, 1-7) instead of the two-axis survey."
    )
    nps_every_months = models.PositiveIntegerField(
        default=0, help_text="Ask customers with a conversation in the period how likely they are to recommend "
        "us (NPS), every this many months; 0 = never.",
    )

    class Meta:
        constraints = [
            # One default policy: rows without a team all index the same value (`team_id IS NULL`
            # is true), where a plain unique index on team_id would let NULLs repeat.
            models.UniqueConstraint(
                IsNull(models.F("team"), True),
                condition=models.Q(team__isnull=True),
                name="voice_one_default_policy",
            )
        ]

    def __str__(self) -> str:
        return f"Surveys for {self.team or 'every team'}"


class SurveyWording(models.Model):
    """The survey's words in one language (the customer's language picks them; English is the fallback)."""

    policy = models.ForeignKey(SurveyPolicy, on_delete=models.CASCADE, related_name="wordings")
    language = models.CharField(max_length=12, default="en")
    subject = models.CharField(max_length=200, default="How did we do?")
    intro = models.TextField(default="Thank you for getting in touch. Two quick questions, one click each:")
    outcome_question = models.CharField(max_length=200, default="Did we meet your need?")
    conduct_question = models.CharField(max_length=200, default="How were you treated?")
    comment_prompt = models.CharField(max_length=200, default="Anything you would like to add? (optional)")
    thanks = models.TextField(default="Thank you. Every answer is read by the team.")
    nps_subject = models.CharField(max_length=200, default="One question about us")
    nps_question = models.CharField(
        max_length=200, default="How likely are you to recommend us to a friend or colleague?"
    )
    ces_subject = models.CharField(max_length=200, default="Was it easy?")
    ces_question = models.CharField(max_length=200, default="How easy was it to get your issue resolved?")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "language"], name="voice_wording_language")]


class Survey(models.Model):
    class Outcome(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="survey"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="surveys")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys",
        help_text="Who served: the assignee when the conversation was solved.",
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=12, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped = models.CharField(max_length=100, blank=True, help_text="Why it was not sent, when it was not.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    conduct = models.PositiveSmallIntegerField(null=True, blank=True)  # 1..5
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="After this, the links change nothing.")
    needs_follow_up = models.BooleanField(default=False)
    came_back_after = models.DurationField(
        null=True, blank=True, help_text="From answering to the customer's first new conversation or return "
        "(kept by voice.returns: a subscriber, and the job as repair; the grid reads it instead of searching "
        "every answer's future).",
    )
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["send_after"], name="survey_to_send", condition=models.Q(sent_at__isnull=True, skipped="")),
            models.Index(fields=["customer", "-created_at"], name="survey_customer"),
            models.Index(fields=["answered_at"], name="survey_answered"),
            # Covers the grid's query, so it reads the index and never the wide rows (comments).
            models.Index(
                fields=["answered_at", "team", "outcome", "conduct", "came_back_after"], name="survey_grid",
                condition=models.Q(answered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Survey on #{self.conversation_id}"

    @property
    def is_bad(self) -> bool:
        return self.outcome == self.Outcome.NO or (self.conduct is not None and self.conduct <= 2)


class Pulse(models.Model):
    """A one-question survey: NPS (0-10, periodic, per customer) or CES (1-7, after a solved conversation).

    Shares the two-axis survey's rules: signed one-click links, one cooldown across every kind,
    the opt-out, and a reason on the row when it was not sent.
    """

    class Kind(models.TextChoices):
        NPS = "nps", "NPS"
        CES = "ces", "CES"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="pulses")
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="pulses",
        help_text="The solved conversation a CES asks about; none for NPS.",
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=12, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped = models.CharField(max_length=100, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # NPS 0..10, CES 1..7
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "kind"], name="pulse_once_per_conversation",
                                    condition=models.Q(conversation__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["send_after"], name="pulse_to_send", condition=models.Q(sent_at__isnull=True, skipped="")),
            models.Index(fields=["customer", "kind", "created_at"], name="pulse_customer"),
            models.Index(fields=["customer", "sent_at"], name="pulse_customer_sent"),
            models.Index(fields=["kind", "answered_at"], name="pulse_answered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for customer {self.customer_id}"

    @property
    def scale(self) -> range:
        return range(0, 11) if self.kind == self.Kind.NPS else range(1, 8)


class Unsubscribe(models.Model):
    """The customer asked for no more surveys."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="survey_opt_out")
    created_at = models.DateTimeField(default=timezone.now)


class ReturnEvent(models.Model):
    """A customer came back outside Goodwill (a purchase, a renewal), posted through the API."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="returns")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["customer", "at"], name="return_customer_at")]


class Improvement(models.Model):
    """Something the company changes because customers complained; each complainer hears when it ships."""

    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        SHIPPED = "shipped", "Shipped"
        WONT_DO = "wont_do", "Won't do"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="improvements"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDEA)
    reason = models.TextField(blank=True, help_text="Why it will not be done, or what changed.")
    announcement = models.TextField(
        blank=True, help_text="What each customer who raised it is told when it ships (their own conversation)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    shipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Complaint(models.Model):
    """A conversation marked as a complaint: thanked for, listened to, and linked to what changes."""

    conversation = models.OneToOneField(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="complaint"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="complaints")
    summary = models.CharField(max_length=300, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    improvement = models.ForeignKey(
        Improvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When they were told it shipped.")

    class Meta:
        ordering = ["-marked_at"]
        indexes = [
            # insights "Complaints and improvements": the period's complaints, and who was told when
            models.Index(fields=["marked_at"], name="complaint_marked"),
            models.Index(fields=["notified_at"], name="complaint_notified"),
        ]


class ExtraMile(models.Model):
    """Going beyond what was asked: what the agent did, and what it cost."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="extra_miles"
    )
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(max_length=300)
    cost = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        # The extra-mile report lists the newest 200 of a period: read in order, not sorted.
        indexes = [models.Index(fields=["created_at"], name="extra_mile_created")]


class ExtraMileDay(models.Model):
    """The extra-mile report's figures for one local day, team, agent and "with an action or not":
    finished conversations that ended that day, their answers and whether the customer came back
    within 30 and 90 days of the end. Rebuilt, a whole day at a time, by `extra_mile_days`.

    Team and agent are plain ids (no foreign key): the history keeps its rows when one is deleted.
    """

    day = models.DateField()
    team_id = models.IntegerField(null=True, blank=True)
    agent_id = models.IntegerField(null=True, blank=True)
    went = models.BooleanField(help_text="With an extra-mile action.")
    conversations = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    need_met = models.PositiveIntegerField(default=0)
    conduct_total = models.PositiveIntegerField(default=0)
    conduct_count = models.PositiveIntegerField(default=0)
    returned_30 = models.PositiveIntegerField(default=0)
    returned_90 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "team_id", "agent_id"], name="extra_mile_day")]


class ExtraMileCounted(models.Model):
    """In which day's figures a conversation is counted, so a change moving it elsewhere fixes both days."""

    conversation = models.OneToOneField(
        "conversations.Conversation", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(db_index=True)


class ExtraMileStale(models.Model):
    """A day whose `ExtraMileDay` rows no longer match the conversations; the job rebuilds it.

    `marked_at` is the latest marking: a rebuild clears only marks older than its own read."""

    day = models.DateField(primary_key=True)
    marked_at = models.DateTimeField(default=timezone.now)


# Customer interviews: ask the best customers three open questions, group the answers into themes.

DEFAULT_QUESTIONS = (
    "What keeps you coming back?",
    "Which experiences with us mean the most to you?",
    "What matters most to you in great service?",
)


class Campaign(models.Model):
    """One round of interviews: who is asked, the three questions, and the progress."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    language = models.CharField(max_length=12, default="en")
    subject = models.CharField(max_length=200, default="Three questions from us")
    intro = models.TextField(
        default="You have been with us for a while, and we would like to learn from you. "
        "Three open questions; answer as much or as little as you like."
    )
    question_1 = models.CharField(max_length=300, default=DEFAULT_QUESTIONS[0])
    question_2 = models.CharField(max_length=300, default=DEFAULT_QUESTIONS[1])
    question_3 = models.CharField(max_length=300, default=DEFAULT_QUESTIONS[2])
    thanks = models.TextField(default="Thank you. Every answer is read, and we will tell you what we do with them.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    remind_after_days = models.PositiveIntegerField(default=7, help_text="Remind once after this many days unanswered.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    grouped_at = models.DateTimeField(null=True, blank=True)
    grouped_with = models.CharField(max_length=40, blank=True, help_text="The method that built the themes: keywords or minilm-int8.")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def questions(self) -> list[str]:
        return [self.question_1, self.question_2, self.question_3]


class CampaignWording(models.Model):
    """The campaign's words in one more language; customers who speak it get these (else the campaign's own)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="wordings")
    language = models.CharField(max_length=12)
    subject = models.CharField(max_length=200)
    intro = models.TextField()
    question_1 = models.CharField(max_length=300)
    question_2 = models.CharField(max_length=300)
    question_3 = models.CharField(max_length=300)
    thanks = models.TextField()

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["campaign", "language"], name="interview_wording_language")]

    @property
    def questions(self) -> list[str]:
        return [self.question_1, self.question_2, self.question_3]


class Invitation(models.Model):
    """One customer asked in one campaign (never twice); the link is signed from its id."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="interview_invitations")
    email = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    thanked = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="interview_once_per_customer")]
        indexes = [models.Index(fields=["campaign", "sent_at"], name="interview_campaign_sent")]


class InterviewTheme(models.Model):
    """A group of answers that say the same thing; named by the grouping, renamed by a lead."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    keywords = models.CharField(max_length=300, blank=True)
    quotes = models.JSONField(default=list, blank=True)
    edited = models.BooleanField(default=False, help_text="A lead renamed, merged, split or moved answers.")
    created_at = models.DateTimeField(default=timezone.now)
    told_text = models.TextField(blank=True, help_text="What we did about it, mailed once to each respondent.")
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.PositiveSmallIntegerField()  # 0, 1, 2
    text = models.TextField()
    theme = models.ForeignKey(InterviewTheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers")

    class Meta:
        ordering = ["invitation_id", "question"]
        constraints = [models.UniqueConstraint(fields=["invitation", "question"], name="interview_answer_once")]
