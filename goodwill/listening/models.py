"""What listening stores: the engine's reading of each inbound message, and each conversation's
latest mood (so the inbox shows a badge and the "Upset customers" view filters without reading
every message)."""

from __future__ import annotations

from django.db import models

# The badge words, strongest first: the first emotion present (≥ PRESENT) names the mood.
MOOD_OF_EMOTION: tuple[tuple[str, str], ...] = (
    ("anger", "angry"),
    ("frustration", "frustrated"),
    ("anxiety", "anxious"),
    ("sadness", "sad"),
    ("confusion", "confused"),
    ("gratitude", "grateful"),
    ("joy", "happy"),
)
PRESENT = 0.5
UPSET_BELOW = -0.3  # sentiment at or below this is "upset" (the tone coach's empathy threshold)
NEGATIVE_MOODS = frozenset({"abusive", "angry", "frustrated", "anxious", "sad", "upset"})


ABUSIVE_ORDER = -2.0  # below any sentiment: abusive conversations sort first


def upset_order(sentiment: float | None, abusive: bool) -> float | None:
    """The "most upset first" sort key of a conversation's mood: abusive first, then the
    lowest sentiment; None (not in the sort) when its latest message was not scored."""
    return ABUSIVE_ORDER if abusive else sentiment


def mood_of(*, scored: bool, sentiment: float | None, emotions: dict[str, float], abusive: bool) -> str:
    """One word for the badge: "abusive", an emotion ("angry"), "upset", or "" when calm."""
    if abusive:
        return "abusive"
    if not scored:
        return ""
    for emotion, word in MOOD_OF_EMOTION:
        if emotions.get(emotion, 0.0) >= PRESENT:
            return word
    if sentiment is not None and sentiment <= UPSET_BELOW:
        return "upset"
    return ""


class MessageScore(models.Model):
    """The listening engine's reading of one inbound message (never shown to the customer)."""

    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="listening_score"
    )
    scored = models.BooleanField(help_text="False when the language is not covered: no guess.")
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was not scored.")
    language = models.CharField(max_length=10, blank=True)
    sentiment = models.FloatField(null=True, blank=True, help_text="-1 (upset) .. 1 (delighted).")
    polarity = models.CharField(max_length=3, blank=True)
    emotions = models.JSONField(default=dict, blank=True)
    urgency = models.FloatField(default=0.0)
    urgency_cues = models.JSONField(default=list, blank=True)
    abusive = models.BooleanField(default=False)
    abuse_triggers = models.JSONField(default=list, blank=True)
    cues = models.JSONField(default=list, blank=True)
    mood = models.CharField(max_length=20, blank=True)
    model_version = models.CharField(max_length=200)
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["model_version", "message"], name="listen_score_version"),
        ]

    def __str__(self) -> str:
        return f"{self.mood or self.polarity or 'not scored'} on message {self.message_id}"


class ConversationMood(models.Model):
    """The mood of a conversation's latest inbound message, kept by the scoring subscriber."""

    conversation = models.OneToOneField(
        "conversations.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="listening_mood",
    )
    message = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, related_name="+")
    message_at = models.DateTimeField()
    sentiment = models.FloatField(null=True, blank=True)
    abusive = models.BooleanField(default=False)
    mood = models.CharField(max_length=20, blank=True)
    # upset_order(sentiment, abusive), kept with them: the inbox's "Most upset first" sort
    # walks its index and stops after a page.
    upset_order = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["sentiment"], name="listen_mood_sentiment"),
            models.Index(fields=["upset_order", "conversation"], name="listen_mood_upset_order"),
        ]

    def __str__(self) -> str:
        return f"{self.mood or 'calm'} on conversation {self.conversation_id}"


class TeamListening(models.Model):
    """A team's listening settings: its abuse policy, the tone checks it switched off, its
    jargon list and when repeated abuse reaches the team lead. A team without a row gets the
    defaults (see goodwill.listening.policy)."""

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="listening")
    abuse_policy = models.TextField(blank=True, help_text="Markdown. Empty: the default policy.")
    disabled_checks = models.JSONField(default=list, blank=True)
    jargon = models.TextField(
        blank=True, help_text='One term a line, optionally with a plain wording: "RMA = return number".'
    )
    repeat_abuse_count = models.PositiveSmallIntegerField(default=2)
    repeat_abuse_days = models.PositiveSmallIntegerField(default=30)

    def __str__(self) -> str:
        return f"Listening settings of {self.team}"


class AgentListening(models.Model):
    """An agent's own listening preference: hide abusive text until they choose to read it."""

    agent = models.OneToOneField(
        "accounts.Agent", on_delete=models.CASCADE, primary_key=True, related_name="listening"
    )
    mask_abuse = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Listening preferences of {self.agent}"


class MoodTurn(models.Model):
    """A sharp turn for the worse in a conversation: the customer's previous message read
    neutral or better (sentiment ≥ TURN_FROM) and this one reads upset (≤ TURN_TO)."""

    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.CASCADE, related_name="listening_turns"
    )
    message = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, related_name="+")
    previous = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, related_name="+")
    from_sentiment = models.FloatField()
    to_sentiment = models.FloatField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "message"], name="listen_turn_once"),
        ]

    def __str__(self) -> str:
        return f"Turn for the worse on conversation {self.conversation_id} at message {self.message_id}"
