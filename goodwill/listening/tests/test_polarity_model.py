"""The learned polarity model: rebuilt byte for byte from the labelled files, scored without
scikit-learn, and never in disagreement with the sentiment figure it is stored beside."""

import importlib.util
import json
from pathlib import Path

import pytest

from goodwill.listening.engine import analyze_message
from goodwill.listening.engine.polarity import (
    CLASSES,
    MODEL_PATH,
    features,
    probabilities,
    read_polarity,
    tokens,
)
from goodwill.listening.engine.sentiment import polarity_of, read_sentiment

ROOT = Path(__file__).resolve().parents[3]
LABELLED = ROOT / "goodwill" / "listening" / "labelled"


def _training_script():
    spec = importlib.util.spec_from_file_location("listening_train", ROOT / "bench" / "listening_train.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_model_is_what_the_training_script_builds_from_the_labelled_files():
    script = _training_script()
    assert MODEL_PATH.read_text(encoding="utf-8") == script.build()


def test_training_reads_no_held_out_file():
    script = _training_script()
    assert set(script.SOURCES) == {"messages_dev.jsonl", "messages_train.jsonl"}
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert set(data["trained_on"]["files"]) == set(script.SOURCES)
    assert data["classes"] == list(CLASSES)


def test_negation_marks_the_words_it_governs_until_the_clause_ends():
    assert tokens("not happy, but fine") == ["not", "not_happy", ",", "but", "fine"]
    assert tokens("it didn't arrive. great") == ["it", "didn't", "not_arrive", ".", "great"]
    assert tokens("never again!!") == ["never", "not_again", "!!"]


def test_features_carry_words_pairs_and_the_rules_reading():
    text = "Not happy. The shoes fell apart in a week."
    found = features(text, read_sentiment(text))
    assert found["w:not_happy"] == 1.0
    assert found["b:<s> not"] == 1.0
    assert found["b:. </s>"] == 1.0 and "w:week" in found
    assert "rules:score" in found and "vader:compound" in found
    assert any(name.startswith("cue:") for name in found)


def test_probabilities_are_a_distribution():
    for text in ("Thanks so much, it works!", "Where is my parcel?", "Still broken. Third time."):
        p = probabilities(features(text, read_sentiment(text)))
        assert len(p) == 3 and abs(sum(p) - 1.0) < 1e-9 and all(0.0 < x < 1.0 for x in p)


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("Wow, another outage. Truly stellar uptime this quarter.", "neg"),
        ("Not bad at all, the dog actually eats it now", "pos"),
        ("Can I change the delivery day to Friday?", "neu"),
        ("The engineer was brilliant and fixed it in ten minutes, thank you!", "pos"),
        ("My order still hasn't arrived and nobody answers the phone.", "neg"),
    ],
)
def test_the_model_reads_plain_cases(text, polarity):
    assert read_polarity(text, read_sentiment(text))[0] == polarity


def test_the_stored_sentiment_always_agrees_with_the_polarity():
    with open(LABELLED / "messages_dev.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    scored = 0
    for row in rows:
        a = analyze_message(row["text"])
        if not a.scored:
            continue
        scored += 1
        assert a.sentiment is not None and -1.0 <= a.sentiment <= 1.0
        assert polarity_of(a.sentiment) == a.polarity, (row["id"], a.sentiment, a.polarity)
        if a.polarity != polarity_of(read_sentiment(a.text).score) and not a.abusive:
            assert f"learned model: {a.polarity}" in a.cues
    assert scored > 300


@pytest.mark.parametrize(
    "text",
    [
        "I don’t like the new layout and it’s still broken after the update.",
        "Thanks, that’s sorted now. You’ve been great!",
        "It isn’t what I ordered, the “waterproof” jacket let the rain in.",
    ],
)
def test_typographic_apostrophes_read_like_plain_ones(text):
    curly, plain = (
        analyze_message(text),
        analyze_message(text.replace("’", "'").replace("“", '"').replace("”", '"')),
    )
    assert (curly.polarity, curly.sentiment, curly.cues) == (plain.polarity, plain.sentiment, plain.cues)
    assert curly.emotions == plain.emotions and curly.urgency == plain.urgency
    assert curly.text == text  # what is stored is what the customer wrote
