"""What the listening engine returns: plain, frozen values the app stores and shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Polarity = Literal["neg", "neu", "pos"]

EMOTIONS: tuple[str, ...] = ("anger", "frustration", "anxiety", "sadness", "confusion", "joy", "gratitude")


@dataclass(frozen=True)
class MessageAnalysis:
    """One inbound message, read. ``scored`` is False when the language is not covered;
    then sentiment, polarity and emotions are None/empty rather than a guess."""

    model_version: str
    language: str | None  # ISO 639-1 code ("en", "de", ...), or None when it could not be told
    scored: bool
    reason: str  # why not scored, or "" when scored
    text: str  # the part that was read: quoted history and signature removed
    sentiment: float | None = None  # -1 (upset) .. 1 (delighted)
    polarity: Polarity | None = None
    emotions: dict[str, float] = field(default_factory=dict)  # each of EMOTIONS, 0..1
    urgency: float = 0.0  # 0..1
    urgency_cues: tuple[str, ...] = ()
    abusive: bool = False
    abuse_triggers: tuple[str, ...] = ()  # the words or pattern that made it abusive
    cues: tuple[str, ...] = ()  # domain rules that moved the sentiment, for explanations

    def as_dict(self) -> dict[str, object]:
        return {
            "model_version": self.model_version,
            "language": self.language,
            "scored": self.scored,
            "reason": self.reason,
            "sentiment": self.sentiment,
            "polarity": self.polarity,
            "emotions": dict(self.emotions),
            "urgency": self.urgency,
            "urgency_cues": list(self.urgency_cues),
            "abusive": self.abusive,
            "abuse_triggers": list(self.abuse_triggers),
            "cues": list(self.cues),
        }


@dataclass(frozen=True)
class Suggestion:
    """A one-click fix: replace draft[start:end] with ``text`` (start == end is an insertion)."""

    start: int
    end: int
    text: str

    def apply(self, draft: str) -> str:
        return draft[: self.start] + self.text + draft[self.end :]


@dataclass(frozen=True)
class ToneFinding:
    code: str
    message: str  # one line: why it matters
    suggestion: Suggestion | None  # None only when no safe wording is known (jargon without a plain term)
    start: int = 0  # the span of the draft the finding is about (start == end: the draft as a whole)
    end: int = 0

    def as_dict(self) -> dict[str, object]:
        suggestion = None
        if self.suggestion is not None:
            s = self.suggestion
            suggestion = {"start": s.start, "end": s.end, "text": s.text}
        return {
            "code": self.code,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "suggestion": suggestion,
        }
