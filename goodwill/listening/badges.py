"""The mood badges agents see on inbox rows and timeline messages, and the "Upset customers"
view; registered with the conversations pages by ListeningConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q

from goodwill.accounts.models import Agent
from goodwill.conversations.badges import Badge
from goodwill.conversations.selectors import CLOSED_STATUS_VALUES, InboxFilter, InboxView
from goodwill.core.prepared import PreparedQuery
from goodwill.listening.models import NEGATIVE_MOODS, UPSET_BELOW, ConversationMood, MessageScore, MoodTurn
from goodwill.listening.services import scores_for


def _sentiment(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}".replace("-", "\u2212")


def _title(mood: str, sentiment: float | None, triggers: list[str]) -> str:
    parts = [f"Mood read from the customer's words: {mood}"]
    if sentiment is not None:
        parts.append(f"sentiment {_sentiment(sentiment)} (−1 upset … +1 delighted)")
    if triggers:
        parts.append("flagged as abusive: " + "; ".join(triggers))
    return ", ".join(parts)


def message_badges(message_ids: list[int]) -> dict[int, list[Badge]]:
    """A badge for each scored message with a mood (one query for the page's messages)."""
    badges: dict[int, list[Badge]] = {}
    for pk, score in scores_for(message_ids).items():
        badge = _message_badge(score)
        if badge is not None:
            badges[pk] = [badge]
    return badges


def _message_badge(score: MessageScore) -> Badge | None:
    if not score.mood:
        return None
    label = score.mood if score.sentiment is None else f"{score.mood} {_sentiment(score.sentiment)}"
    return Badge(label, f"mood mood-{score.mood}", _title(score.mood, score.sentiment, score.abuse_triggers))


# Built once per process: the inbox asks on every page (core.prepared).
_ROW_MOODS = PreparedQuery(
    lambda ids: ConversationMood.objects.filter(conversation_id__in=ids).values_list(
        "conversation_id", "mood", "sentiment"
    )
)


def row_badges(conversation_ids: list[int]) -> dict[int, list[Badge]]:
    """The latest customer message's mood on each inbox row, when it is a troubled one."""
    return {
        pk: [Badge(mood, f"mood mood-{mood}", _title(mood, sentiment, []))]
        for pk, mood, sentiment in _ROW_MOODS.rows(conversation_ids)
        if mood in NEGATIVE_MOODS
    }


def _upset(agent: Agent) -> Q:
    # upset_order is -2 for abusive, else the sentiment: "≤ UPSET_BELOW" is "upset or abusive".
    return ~Q(status__literal_in=CLOSED_STATUS_VALUES) & Q(listening_mood__upset_order__lte=UPSET_BELOW)


UPSET_VIEW = InboxView("upset", "Upset customers", "recent", _upset)

# "Most upset first": abusive conversations, then the lowest sentiment of the latest customer
# message; conversations without a scored message are left out of this sort. A page walks
# the index (upset_order, conversation) of listening_conversationmood.
MOOD_SORT: dict[str, Any] = {
    "name": "mood",
    "fields": [("mood_upset", False), ("id", False)],
    "needs": Q(listening_mood__upset_order__isnull=False),
    "annotations": {"mood_upset": F("listening_mood__upset_order")},
    "float_fields": ("mood_upset",),
}
MOOD_SORT_LABEL = "Most upset first (mood)"


def offer_sort_choice() -> None:
    """Put "Most upset first" in the inbox's and saved views' sort menu."""
    from goodwill.conversations.forms import SORT_CHOICES

    if all(value != MOOD_SORT["name"] for value, _label in SORT_CHOICES):
        SORT_CHOICES.append((MOOD_SORT["name"], MOOD_SORT_LABEL))


def abusive_masks(agent_id: int, message_ids: list[int]) -> dict[int, str]:
    """Hide abusive messages' text from an agent who asked for it (two small queries)."""
    from goodwill.listening.models import AgentListening

    if not AgentListening.objects.filter(agent_id=agent_id, mask_abuse=True).exists():
        return {}
    abusive = MessageScore.objects.filter(message_id__in=message_ids, abusive=True)
    return {pk: "Abusive text hidden." for pk in abusive.values_list("message_id", flat=True)}


def turn_badges(conversation_ids: list[int]) -> dict[int, list[Badge]]:
    """A flag on rows whose conversation took a sharp turn for the worse (one query)."""
    from goodwill.listening.turns import turned_conversations

    title = "The customer's mood turned sharply for the worse in this conversation"
    return {pk: [Badge("turned worse", "mood-turn", title)] for pk in turned_conversations(conversation_ids)}


def _mood_q(value: str) -> Q:
    if value == "upset":
        return Q(listening_mood__upset_order__lte=UPSET_BELOW)
    if value == "abusive":
        return Q(listening_mood__abusive=True)
    if value == "turned":
        return Q(Exists(MoodTurn.objects.filter(conversation_id=OuterRef("pk"))))
    return Q(listening_mood__sentiment__gt=UPSET_BELOW, listening_mood__abusive=False)  # "calm"


MOOD_FILTER = InboxFilter(
    "mood",
    "Customer's mood",
    (
        ("upset", "Upset or abusive"),
        ("abusive", "Abusive"),
        ("turned", "Turned for the worse"),
        ("calm", "Calm or happy"),
    ),
    _mood_q,
)
