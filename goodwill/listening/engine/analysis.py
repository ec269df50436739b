"""``analyze_message``: one inbound customer message, read."""

from __future__ import annotations

from .abuse import find_abuse
from .cleaning import new_text
from .emotions import read_emotions, read_urgency
from .language import COVERED, NAMES, detect_language
from .polarity import read_polarity
from .sentiment import is_shouting, polarity_of, read_sentiment
from .types import MessageAnalysis, Polarity

MODEL_VERSION = "listening-rules-3+polarity-lr-1 (vader 3.3.2, alt-profanity-check 1.9.1, lingua 2.1.1)"
# The sentiment and emotion rules and lexicons are English; other covered languages are
# recognised (and checked for abuse) but not scored.
SCORED_LANGUAGES = frozenset({"en"})
MAX_CHARS = 5000  # of new text read; longer messages are judged by their start
MAX_INPUT_CHARS = 50_000  # of raw text handed to the quote stripper


_CURLY_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def plain_quotes(text: str) -> str:
    """Typographic quotes as ASCII ones: phones type "don’t", the rules and the model read "don't"."""
    return text.translate(_CURLY_QUOTES) if not text.isascii() else text


def warm_up() -> None:
    """Load every model now (a worker calls this at start, so the first message is not slow)."""
    analyze_message("Hello, my order still hasn't arrived. Thanks!")
    analyze_message("Hallo, meine Bestellung ist nicht angekommen.")


def analyze_message(text: str) -> MessageAnalysis:
    """Read an inbound message: language, sentiment, emotions, urgency, abuse."""
    body = new_text(text[:MAX_INPUT_CHARS])[:MAX_CHARS]
    code, language_note = detect_language(body)
    triggers = find_abuse(body) if body else ()
    if code not in SCORED_LANGUAGES:
        if code is None:
            reason = f"language not recognised ({language_note})"
        elif code in COVERED:
            reason = f"{NAMES[code]} is recognised but the sentiment model reads English only"
        else:
            reason = f"{NAMES.get(code, code)} is not a covered language"
        return MessageAnalysis(
            model_version=MODEL_VERSION,
            language=code,
            scored=False,
            reason=reason,
            text=body,
            abusive=bool(triggers),
            abuse_triggers=triggers,
        )
    plain = plain_quotes(body)
    reading = read_sentiment(plain)
    shouting = "shouting" in reading.cues or is_shouting(body)
    urgency, urgency_cues = read_urgency(plain)
    # The learned model decides polarity; the rules' score is kept in its band (see polarity.py).
    model_polarity, score = read_polarity(plain, reading)
    cues = reading.cues
    if model_polarity != polarity_of(reading.score):
        cues += (f"learned model: {model_polarity}",)
    polarity: Polarity = "neg" if triggers else model_polarity  # type: ignore[assignment]
    return MessageAnalysis(
        model_version=MODEL_VERSION,
        language=code,
        scored=True,
        reason="",
        text=body,
        sentiment=min(score, -0.6) if triggers else score,
        polarity=polarity,
        emotions=read_emotions(plain, sentiment_cues=reading.cues, abusive=bool(triggers), shouting=shouting),
        urgency=urgency,
        urgency_cues=urgency_cues,
        abusive=bool(triggers),
        abuse_triggers=triggers,
        cues=cues + (("shouting",) if shouting and "shouting" not in cues else ()),
    )
