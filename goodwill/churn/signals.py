"""What made a conversation a bad experience: each source app's rows for many conversations at
once (one query per signal), turned into words. Feature apps' models are read directly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from goodwill.churn.models import Signal
from goodwill.churn.rhythm import Thresholds
from goodwill.conversations.models import Conversation
from goodwill.expectations.models import SlaTarget
from goodwill.listening.models import ConversationMood, MoodTurn
from goodwill.promises.models import Promise
from goodwill.voice.models import Complaint, Survey

Found = dict[int, list[tuple[str, str]]]  # conversation id → [(signal, words)]


def _day(at: datetime | None) -> str:
    return f"{at.day} {at:%b}" if at else "no date"


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}{'…' if len(text) > limit else ''}”"


def feedback(ids: list[int], limits: dict[int, Thresholds], found: Found) -> None:
    rows = Survey.objects.filter(conversation_id__in=ids, answered_at__isnull=False).values_list(
        "conversation_id", "outcome", "conduct"
    )
    for conversation_id, outcome, conduct in rows:
        words = []
        if outcome == Survey.Outcome.NO:
            words.append("feedback said the need was not met")
        elif outcome == Survey.Outcome.PARTLY:
            words.append("feedback said the need was only partly met")
        if conduct is not None and conduct <= limits[conversation_id].conduct_at_most:
            words.append(f"rated how they were treated {conduct}/5")
        if words:
            found[conversation_id].append((Signal.FEEDBACK, " and ".join(words)))


def promises(ids: list[int], found: Found) -> None:
    rows = (
        Promise.objects.filter(conversation_id__in=ids)
        .exclude(state=Promise.State.DROPPED)
        .values_list("conversation_id", "text", "due_at", "outcome", "state", "overdue_at")
        .order_by("conversation_id", "due_at", "pk")
    )
    for conversation_id, text, due_at, outcome, state, overdue_at in rows:
        if outcome == Promise.Outcome.BROKEN:
            what = "was broken"
        elif outcome == Promise.Outcome.LATE:
            what = "was kept late"
        elif state == Promise.State.OPEN and overdue_at is not None:
            what = "is still not kept"
        else:
            continue
        found[conversation_id].append((Signal.PROMISE, f"promise {_quote(text)} due {_day(due_at)} {what}"))


def mood(ids: list[int], limits: dict[int, Thresholds], found: Found) -> None:
    turned = set()
    for conversation_id, before, after in (
        MoodTurn.objects.filter(conversation_id__in=ids)
        .values_list("conversation_id", "from_sentiment", "to_sentiment")
        .order_by("conversation_id", "-at")
    ):
        if conversation_id in turned:
            continue
        turned.add(conversation_id)
        found[conversation_id].append(
            (Signal.MOOD, f"their mood turned for the worse ({before:+.2f} → {after:+.2f})")
        )
    rows = ConversationMood.objects.filter(conversation_id__in=ids, sentiment__isnull=False).values_list(
        "conversation_id", "sentiment", "mood"
    )
    for conversation_id, sentiment, word in rows:
        if (
            conversation_id not in turned
            and sentiment is not None
            and sentiment <= limits[conversation_id].mood_at_most
        ):
            found[conversation_id].append(
                (Signal.MOOD, f"their last message read {word or 'upset'} (sentiment {sentiment:+.2f})")
            )


def need(ids: list[int], found: Found) -> None:
    rows = Conversation.objects.filter(
        pk__in=ids, need_met__in=[Conversation.NeedMet.NO, Conversation.NeedMet.PARTLY]
    ).values_list("pk", "need_met", "need__name")
    for conversation_id, need_met, name in rows:
        what = f"their need{f' ({name})' if name else ''}"
        found[conversation_id].append(
            (
                Signal.NEED,
                f"{what} was {'not met' if need_met == Conversation.NeedMet.NO else 'only partly met'}",
            )
        )


def sla(ids: list[int], found: Found) -> None:
    rows = (
        SlaTarget.objects.filter(conversation_id__in=ids, outcome=SlaTarget.Outcome.BREACHED)
        .values_list("conversation_id", "kind")
        .order_by("conversation_id", "started_at")
    )
    kinds: dict[int, list[str]] = defaultdict(list)
    for conversation_id, kind in rows:
        label = SlaTarget.Kind(kind).label.lower()
        if label not in kinds[conversation_id]:
            kinds[conversation_id].append(label)
    for conversation_id, labels in kinds.items():
        found[conversation_id].append((Signal.SLA, f"the {' and '.join(labels)} target was missed"))


def complaints(ids: list[int], found: Found) -> None:
    for conversation_id, summary in Complaint.objects.filter(conversation_id__in=ids).values_list(
        "conversation_id", "summary"
    ):
        found[conversation_id].append(
            (Signal.COMPLAINT, f"they complained{f': {_quote(summary)}' if summary else ''}")
        )


ORDER = [Signal.PROMISE, Signal.COMPLAINT, Signal.FEEDBACK, Signal.NEED, Signal.SLA, Signal.MOOD]


def bad_experiences(
    ids: Iterable[int], limits: dict[int, Thresholds], enabled: dict[int, frozenset[str]]
) -> Found:
    """For each conversation id, the enabled signals that made it bad, strongest first."""
    ids = list(ids)
    found: Found = defaultdict(list)
    if not ids:
        return found
    wanted = set().union(*enabled.values()) if enabled else set()
    if Signal.FEEDBACK in wanted:
        feedback(ids, limits, found)
    if Signal.PROMISE in wanted:
        promises(ids, found)
    if Signal.MOOD in wanted:
        mood(ids, limits, found)
    if Signal.NEED in wanted:
        need(ids, found)
    if Signal.SLA in wanted:
        sla(ids, found)
    if Signal.COMPLAINT in wanted:
        complaints(ids, found)
    kept: Found = {}
    for conversation_id, items in found.items():
        allowed = [item for item in items if item[0] in enabled[conversation_id]]
        if allowed:
            kept[conversation_id] = sorted(allowed, key=lambda item: ORDER.index(Signal(item[0])))
    return kept
