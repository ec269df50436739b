"""Polarity from a small learned model, on top of the rules.

A multinomial logistic regression (``bench/listening_train.py`` fits it with scikit-learn on
the labelled dev and training messages; ``polarity_model.json`` holds its weights). Its
features are cheap to compute from what ``read_sentiment`` already did:

- words and word pairs of the new text, lower-cased, with the words after a negation
  ("not", "never", "n't", "no") until the next punctuation marked ``not_`` (so "not happy" and
  "happy" are different words);
- VADER's compound, positive and negative parts and the rules' score, and each rule cue
  that fired ("still", "sarcasm", "gratitude", …), shouting, question and exclamation marks.

Scoring is one dictionary look-up per feature and a sum: no scikit-learn at run time. The
model decides polarity; the rules' score stays the sentiment figure, clamped into the band of
the model's polarity so the two never disagree.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

from .sentiment import NEGATIVE_AT, POSITIVE_AT, SentimentReading, polarity_of

MODEL_PATH = Path(__file__).with_name("polarity_model.json")
CLASSES = ("neg", "neu", "pos")
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]+|[^\w\s]")
_NEGATORS = frozenset({"not", "no", "never", "nothing", "nobody", "none", "cannot", "without"})
_CLAUSE_END = frozenset({".", ",", ";", ":", "!", "?", "but"})
_FRIENDLY_CUES = frozenset(
    {"gratitude", "thanks", "reassurance", "resolved", "praise in slang", "a question"}
)
_MAX_TOKENS = 400  # of the new text; enough to know what a message is about


def tokens(lowered: str) -> list[str]:
    """Words and punctuation, with ``not_`` before the words a negation governs."""
    out: list[str] = []
    negated = False
    for token in _TOKEN_RE.findall(lowered)[:_MAX_TOKENS]:
        if token[0] in "!?" or token in _CLAUSE_END:
            negated = False
            out.append(token)
            continue
        out.append("not_" + token if negated else token)
        if token in _NEGATORS or token.endswith("n't"):
            negated = True
    return out


def features(text: str, reading: SentimentReading) -> dict[str, float]:
    """The model's input for one message's new text (``reading`` is ``read_sentiment(text)``)."""
    lowered = text.lower()
    words = tokens(lowered)
    found: dict[str, float] = {}
    previous = "<s>"
    for word in words:
        found["w:" + word] = 1.0
        found["b:" + previous + " " + word] = 1.0
        previous = word
    found["b:" + previous + " </s>"] = 1.0
    found["vader:compound"] = reading.vader_compound
    found["vader:pos"] = reading.vader_pos
    found["vader:neg"] = reading.vader_neg
    found["rules:score"] = reading.score
    found["rules:" + polarity_of(reading.score)] = 1.0
    # Thresholds a linear model cannot draw itself: how sure VADER is, either way.
    compound = reading.vader_compound
    found[
        "vader:"
        + (
            "high"
            if compound >= 0.5
            else "up"
            if compound > 0.05
            else "low"
            if compound <= -0.5
            else "down"
            if compound < -0.05
            else "flat"
        )
    ] = 1.0
    trouble = False
    for name in reading.cues:
        found["cue:" + name] = 1.0
        trouble = trouble or name not in _FRIENDLY_CUES
    if trouble and compound > 0.3:
        found["mix:praise and trouble"] = 1.0  # sarcasm or "lovely, but"
    if not reading.cues and -0.05 <= compound <= 0.05:
        found["mix:nothing felt"] = 1.0
    if "?" in text:
        found["mark:question"] = 1.0
    if "!" in text:
        found["mark:exclamation"] = 1.0
    found["length:log"] = math.log1p(len(words)) / 5
    return found


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, tuple[float, float, float]], tuple[float, float, float]]:
    with open(MODEL_PATH, encoding="utf-8") as f:
        data = json.load(f)
    if tuple(data["classes"]) != CLASSES:
        raise ValueError(f"{MODEL_PATH.name}: classes {data['classes']} are not {CLASSES}")
    weights = {name: (w[0], w[1], w[2]) for name, w in data["weights"].items()}
    b = data["intercept"]
    return weights, (b[0], b[1], b[2])


def probabilities(found: dict[str, float]) -> tuple[float, float, float]:
    """P(neg), P(neu), P(pos) for the features ``features`` returned."""
    weights, (neg, neu, pos) = _model()
    for name, value in found.items():
        w = weights.get(name)
        if w is not None:
            neg += w[0] * value
            neu += w[1] * value
            pos += w[2] * value
    top = max(neg, neu, pos)
    e_neg, e_neu, e_pos = math.exp(neg - top), math.exp(neu - top), math.exp(pos - top)
    total = e_neg + e_neu + e_pos
    return e_neg / total, e_neu / total, e_pos / total


def read_polarity(text: str, reading: SentimentReading) -> tuple[str, float]:
    """(polarity, sentiment score): the model's class and the rules' score kept in its band."""
    p = probabilities(features(text, reading))
    polarity = CLASSES[max(range(3), key=p.__getitem__)]
    score = reading.score
    if polarity == "neg":
        score = min(score, round(NEGATIVE_AT - 0.05 - 0.3 * p[0], 3))
    elif polarity == "pos":
        score = max(score, round(POSITIVE_AT + 0.05 + 0.3 * (p[2] - 0.5), 3))
    else:
        score = max(NEGATIVE_AT + 0.05, min(score, POSITIVE_AT - 0.1))
    return polarity, max(-1.0, min(1.0, score))
