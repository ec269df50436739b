"""Need suggestion: accuracy on a held-out split of the demo data, and on hand-written examples.

    .venv/bin/python bench/need_suggest.py [--conversations 20000]

Uses its own database: SQLite in $GOODWILL_DATA_DIR (default /tmp/goodwill-bench-need), or
PostgreSQL when GOODWILL_DATABASE_URL is set; an empty one is seeded with the demo data first.
The classifier (knowledge/need.py) is trained on 80 % of the labelled demo conversations and
scored on the other 20 % (stratified, fixed seed), then on
goodwill/knowledge/labelled/needs.jsonl (written by hand in other words than the demo's
templates, never tuned on). "Suggested" counts the cases at or above the confidence from which
the app stores a suggestion; below it the agent sees no suggestion at all.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("GOODWILL_DATA_DIR", "/tmp/goodwill-bench-need")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from goodwill.conversations.models import ContactReason, Conversation  # noqa: E402
from goodwill.knowledge import need  # noqa: E402

LABELLED = Path(__file__).resolve().parent.parent / "goodwill/knowledge/labelled/needs.jsonl"


def _ensure_data(conversations: int) -> None:
    call_command("migrate", verbosity=0)
    if Conversation.objects.exists():
        return
    from goodwill.demo.generator import seed_demo

    print(f"seeding {conversations:,} demo conversations…", flush=True)
    seed_demo(conversations=conversations, seed=1, anchor=datetime(2026, 12, 1, tzinfo=UTC))


def _score(pipeline: object, examples: list[tuple[str, int]]) -> tuple[float, float, float]:
    """(accuracy, share suggested, accuracy of the suggested)."""
    probabilities = pipeline.predict_proba([text for text, _ in examples])  # type: ignore[attr-defined]
    classes = pipeline.classes_  # type: ignore[attr-defined]
    right = suggested = suggested_right = 0
    for row, (_text, truth) in zip(probabilities, examples, strict=True):
        best = int(row.argmax())
        hit = int(classes[best]) == truth
        right += hit
        if row[best] >= need.SUGGEST_FROM:
            suggested += 1
            suggested_right += hit
    total = len(examples) or 1
    return right / total, suggested / total, (suggested_right / suggested) if suggested else 0.0


def _hand_written() -> list[tuple[str, int]]:
    needs = {}
    for reason in ContactReason.objects.select_related("parent"):
        key = (
            f"{reason.parent.name}/{reason.name}" if reason.parent_id and reason.parent else f"{reason.name}/"
        )
        needs[key] = reason.pk
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    return [(row["text"], needs[row["need"]]) for row in rows if row["need"] in needs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    options = parser.parse_args()
    _ensure_data(options.conversations)
    print(f"database: {connection.vendor}, conversations: {Conversation.objects.count():,}")

    started = time.perf_counter()
    examples = need.usable(need.labelled_examples())
    read = time.perf_counter() - started
    train, test = need.split(examples)
    started = time.perf_counter()
    pipeline = need.build_pipeline().fit([t for t, _ in train], [n for _, n in train])
    fit = time.perf_counter() - started
    print(
        f"labelled examples: {len(examples):,} ({len({n for _, n in examples})} needs), read in {read:.1f} s"
    )
    print(f"train {len(train):,} / held out {len(test):,}; fit in {fit:.1f} s")
    accuracy, share, precise = _score(pipeline, test)
    print(
        f"demo held-out:   accuracy {accuracy:.1%}; suggested (confidence >= {need.SUGGEST_FROM:.0%}) "
        f"{share:.1%}, of which right {precise:.1%}"
    )
    hand = _hand_written()
    accuracy, share, precise = _score(pipeline, hand)
    print(
        f"hand-written ({len(hand)}): accuracy {accuracy:.1%}; suggested {share:.1%}, of which right {precise:.1%}"
    )
    texts = [text for text, _ in test[:200]]
    timings = []
    for text in texts:
        started = time.perf_counter()
        pipeline.predict_proba([text])  # type: ignore[attr-defined]
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"predict one message: p50 {statistics.median(timings):.2f} ms, "
        f"p95 {timings[int(len(timings) * 0.95) - 1]:.2f} ms"
    )
    started = time.perf_counter()
    model = need.train_need_model(force=True)
    if model is not None:
        print(
            f"worker retrain (held-out check + full fit + store): {time.perf_counter() - started:.1f} s, "
            f"model v{model.version} {len(bytes(model.blob)) / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
