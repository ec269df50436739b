"""Listening: fit the polarity model and judge it by cross-validation (train + dev only).

    .venv/bin/python bench/listening_train.py            # rebuild polarity_model.json
    .venv/bin/python bench/listening_train.py --cv       # 5-fold CV, several C, no file written
    .venv/bin/python bench/listening_train.py --check    # exit 1 if the file is not what a rebuild gives

Reads only ``messages_dev.jsonl`` and ``messages_train.jsonl`` (English rows); the held-out
files are never opened here. Needs no Django and no database: the features come from the
engine's plain functions (``goodwill.listening.engine.polarity.features``), the fit from
scikit-learn (a multinomial logistic regression, deterministic with the lbfgs solver). The
weights are written rounded to 4 decimals, one feature a line, keys sorted, so the same
labelled files rebuild the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.feature_extraction import DictVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402

from goodwill.listening.engine.abuse import find_abuse  # noqa: E402
from goodwill.listening.engine.analysis import MAX_CHARS, MAX_INPUT_CHARS, plain_quotes  # noqa: E402
from goodwill.listening.engine.cleaning import new_text  # noqa: E402
from goodwill.listening.engine.polarity import CLASSES, MODEL_PATH, features  # noqa: E402
from goodwill.listening.engine.sentiment import polarity_of, read_sentiment  # noqa: E402

LABELLED = Path(__file__).resolve().parent.parent / "goodwill" / "listening" / "labelled"
SOURCES = ("messages_dev.jsonl", "messages_train.jsonl")
C = 1.0  # chosen by --cv (see bench/README, "Listening, session 5")
MIN_DF = 2  # words and word pairs seen in fewer messages are left out
VERSION = "polarity-lr-1"


def load() -> list[dict]:
    rows = []
    for name in SOURCES:
        with open(LABELLED / name, encoding="utf-8") as f:
            rows += [dict(json.loads(line), source=name) for line in f if line.strip()]
    return [row for row in rows if row["lang"] == "en"]


def featurise(rows: list[dict]) -> tuple[list[dict[str, float]], list[str], list[bool]]:
    """Features, the rules' own polarity, and whether the abuse check fires, per row."""
    found, rules, abusive = [], [], []
    for row in rows:
        body = plain_quotes(new_text(row["text"][:MAX_INPUT_CHARS])[:MAX_CHARS])
        reading = read_sentiment(body)
        found.append(features(body, reading))
        rules.append(polarity_of(reading.score))
        abusive.append(bool(find_abuse(body)))
    return found, rules, abusive


def prune(found: list[dict[str, float]], min_df: int) -> list[dict[str, float]]:
    df: dict[str, int] = {}
    for f in found:
        for name in f:
            df[name] = df.get(name, 0) + 1
    keep = {name for name, n in df.items() if n >= min_df or name[:2] not in ("w:", "b:")}
    return [{k: v for k, v in f.items() if k in keep} for f in found]


def fit(
    found: list[dict[str, float]], labels: list[str], c: float
) -> tuple[DictVectorizer, LogisticRegression]:
    vectoriser = DictVectorizer(sort=True)
    x = vectoriser.fit_transform(prune(found, MIN_DF))
    model = LogisticRegression(C=c, max_iter=5000, solver="lbfgs")
    model.fit(x, labels)
    assert tuple(model.classes_) == CLASSES, model.classes_
    return vectoriser, model


def cross_validate(
    rows: list[dict], found: list[dict[str, float]], rules: list[str], abusive: list[bool]
) -> None:
    labels = [row["polarity"] for row in rows]
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(found, labels))
    by_source = {name: [i for i, row in enumerate(rows) if row["source"] == name] for name in SOURCES}

    def accuracy(predicted: list[str], index: list[int]) -> float:
        return sum(predicted[i] == labels[i] for i in index) / len(index)

    rules_final = ["neg" if abusive[i] else rules[i] for i in range(len(rows))]
    print(f"rows: {len(rows)} English ({', '.join(f'{k} {len(v)}' for k, v in by_source.items())})")
    print("| model | all (5-fold) | dev rows | train rows |\n|---|---|---|---|")
    every = list(range(len(rows)))
    print(
        f"| rules alone (no CV: tuned on dev) | {accuracy(rules_final, every):.3f} | "
        + " | ".join(f"{accuracy(rules_final, idx):.3f}" for idx in by_source.values())
        + " |"
    )
    for c in (0.25, 0.5, 1.0, 2.0):
        predicted = [""] * len(rows)
        for train_index, test_index in folds:
            vectoriser, model = fit([found[i] for i in train_index], [labels[i] for i in train_index], c)
            guesses = model.predict(vectoriser.transform([found[i] for i in test_index]))
            for i, guess in zip(test_index, guesses, strict=True):
                predicted[i] = "neg" if abusive[i] else str(guess)
        print(
            f"| logistic regression, C={c} | {accuracy(predicted, every):.3f} | "
            + " | ".join(f"{accuracy(predicted, idx):.3f}" for idx in by_source.values())
            + " |"
        )


def model_json(vectoriser: DictVectorizer, model: LogisticRegression, rows: list[dict]) -> str:
    digests = {name: hashlib.sha256((LABELLED / name).read_bytes()).hexdigest()[:16] for name in SOURCES}
    lines = []
    for j, name in enumerate(vectoriser.feature_names_):
        weights = [round(float(model.coef_[k][j]), 4) + 0.0 for k in range(3)]
        if any(weights):
            lines.append(f"    {json.dumps(name, ensure_ascii=False)}: {json.dumps(weights)}")
    intercept = [round(float(v), 4) + 0.0 for v in model.intercept_]
    header = {
        "version": VERSION,
        "classes": list(CLASSES),
        "origin": "bench/listening_train.py: scikit-learn LogisticRegression on Goodwill's own hand-written labelled messages",
        "licence": "same as Goodwill",
        "trained_on": {"rows": len(rows), "files": digests},
        "C": C,
        "min_df": MIN_DF,
        "intercept": intercept,
    }
    head = json.dumps(header, ensure_ascii=False, indent=2, sort_keys=True)[:-2]
    return head + ',\n  "weights": {\n' + ",\n".join(lines) + "\n  }\n}\n"


def build() -> str:
    rows = load()
    found, _rules, _abusive = featurise(rows)
    vectoriser, model = fit(found, [row["polarity"] for row in rows], C)
    return model_json(vectoriser, model, rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true", help="cross-validate (train + dev), write nothing")
    parser.add_argument(
        "--check", action="store_true", help="fail if the stored model is not what a rebuild gives"
    )
    args = parser.parse_args()
    if args.cv:
        rows = load()
        cross_validate(rows, *featurise(rows))
        return
    text = build()
    if args.check:
        same = MODEL_PATH.read_text(encoding="utf-8") == text
        print(f"{MODEL_PATH.name}: {'rebuilt byte for byte' if same else 'DIFFERS from a rebuild'}")
        sys.exit(0 if same else 1)
    MODEL_PATH.write_text(text, encoding="utf-8")
    weights = sum(line.startswith('    "') for line in text.splitlines())
    print(f"wrote {MODEL_PATH} ({len(text.encode()):,} bytes, {weights:,} features)")


if __name__ == "__main__":
    main()
