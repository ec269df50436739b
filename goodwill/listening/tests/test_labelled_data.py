"""The labelled sets parse, carry valid labels, and the dev and held-out parts never overlap."""

import json
from pathlib import Path

import pytest

from goodwill.listening.engine import EMOTIONS, TONE_CHECKS

LABELLED = Path(__file__).resolve().parent.parent / "labelled"
LANGUAGES = {"en", "de", "fr", "es", "nl", "it", "pt", "other"}
HELD_OUT = (
    "messages_heldout.jsonl",
    "messages_heldout2.jsonl",
    "messages_heldout3.jsonl",
    "messages_heldout4.jsonl",
)


def rows(name):
    with open(LABELLED / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.mark.parametrize(
    "name",
    [
        "messages_dev.jsonl",
        "messages_train.jsonl",
        "messages_heldout.jsonl",
        "messages_heldout2.jsonl",
        "messages_heldout3.jsonl",
        "messages_heldout4.jsonl",
    ],
)
def test_message_labels_are_valid(name):
    for row in rows(name):
        assert set(row) >= {"id", "business", "text", "polarity", "emotions", "abusive", "lang", "urgent"}, (
            row
        )
        assert row["polarity"] in {"neg", "neu", "pos"}
        assert set(row["emotions"]) <= set(EMOTIONS)
        assert isinstance(row["abusive"], bool) and isinstance(row["urgent"], bool)
        assert row["lang"] in LANGUAGES
        assert row["text"].strip()


@pytest.mark.parametrize("name", ["drafts_dev.jsonl", "drafts_heldout.jsonl"])
def test_draft_labels_are_valid(name):
    for row in rows(name):
        assert set(row) >= {
            "id",
            "draft",
            "customer_name",
            "preferred_name",
            "customer_mood",
            "jargon",
            "expected",
        }
        assert set(row["expected"]) <= set(TONE_CHECKS), row["id"]
        assert row["customer_mood"] is None or -1.0 <= row["customer_mood"] <= 1.0


def test_the_sets_are_big_enough_and_split_about_seventy_thirty():
    dev = rows("messages_dev.jsonl") + rows("messages_train.jsonl")
    held = [r for name in HELD_OUT for r in rows(name)]
    assert len(dev) + len(held) >= 300
    # Four held-out parts (each written before a round of tuning or training), and a training file.
    assert 0.15 <= len(held) / (len(dev) + len(held)) <= 0.40
    drafts_dev, drafts_held = rows("drafts_dev.jsonl"), rows("drafts_heldout.jsonl")
    assert len(drafts_dev) + len(drafts_held) >= 100
    assert 0.25 <= len(drafts_held) / (len(drafts_dev) + len(drafts_held)) <= 0.35
    assert sum(r["abusive"] for r in dev + held) >= 30
    assert sum(r["lang"] != "en" for r in dev + held) >= 20


@pytest.mark.parametrize(("dev", "held", "field"), [
    *((tuned, held, "text") for tuned in ("messages_dev.jsonl", "messages_train.jsonl") for held in HELD_OUT),
    ("messages_dev.jsonl", "messages_train.jsonl", "text"),
    ("drafts_dev.jsonl", "drafts_heldout.jsonl", "draft"),
])  # fmt: skip
def test_dev_and_held_out_do_not_overlap(dev, held, field):
    dev_rows, held_rows = rows(dev), rows(held)
    all_ids = [r["id"] for r in dev_rows + held_rows]
    assert len(all_ids) == len(set(all_ids))
    normal = lambda r: " ".join(r[field].lower().split())  # noqa: E731
    assert not {normal(r) for r in dev_rows} & {normal(r) for r in held_rows}
