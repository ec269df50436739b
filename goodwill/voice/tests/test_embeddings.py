"""The [ml] extra's pieces: the WordPiece tokenizer (pure Python, always tested) gives the ids
BertTokenizer gives; the model (skipped without the extra) puts answers that mean the same
thing close together even with no word in common; the switch turns it off."""

from __future__ import annotations

import numpy as np
import pytest

from goodwill.voice import embeddings
from goodwill.voice.themes import KEYWORDS, default_method

needs_extra = pytest.mark.skipif(not embeddings.installed(), reason="the [ml] extra is not installed")


def test_wordpiece_ids_match_bert_uncased():
    # Expected ids from Hugging Face `tokenizers` BertWordPieceTokenizer(lowercase=True) on the same vocab.
    assert embeddings.token_ids("Rücksendungen sind unkompliziert!") == [
        101,
        21766,
        10603,
        10497,
        23239,
        8254,
        2094,
        4895,
        3683,
        8737,
        3669,
        21548,
        2102,
        999,
        102,
    ]
    assert embeddings.token_ids("I can't wait: 2-day refunds.") == [
        101,
        1045,
        2064,
        1005,
        1056,
        3524,
        1024,
        1016,
        1011,
        2154,
        25416,
        26698,
        1012,
        102,
    ]


def test_long_text_is_cut_to_the_model_length():
    ids = embeddings.token_ids("refund " * 400)
    assert len(ids) == embeddings.MAX_TOKENS and ids[0] == 101 and ids[-1] == 102


def test_the_switch_turns_the_extra_off(monkeypatch):
    monkeypatch.setenv("GOODWILL_THEMES_EMBEDDINGS", "off")
    assert not embeddings.available() and default_method() == KEYWORDS


@needs_extra
def test_the_extra_is_picked_when_installed(monkeypatch):
    monkeypatch.delenv("GOODWILL_THEMES_EMBEDDINGS", raising=False)
    assert default_method() == embeddings.METHOD


@needs_extra
def test_answers_that_mean_the_same_are_close_without_shared_words():
    kind, patient, fast = embeddings.embed(["Kind staff.", "Patient people who listen.", "Quick delivery."])
    assert np.linalg.norm(kind) == pytest.approx(1.0, abs=1e-5)
    assert kind @ patient > kind @ fast + 0.1


@needs_extra
def test_batches_give_the_same_vectors_as_one_by_one():
    texts = ["Short.", "A much longer answer about refunds that arrive within two days.", "Kind staff."]
    together = embeddings.embed(texts)
    alone = np.vstack([embeddings.embed([text]) for text in texts])
    # int8 activations are scaled per batch, so vectors move a little with their batch; not more.
    assert (together * alone).sum(axis=1).min() > 0.98
