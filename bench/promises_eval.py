"""Promises: how well `find_promises` finds commitments and their due dates, and how fast.

    .venv/bin/python bench/promises_eval.py [--errors] [--repeat N]

Prints, for the dev part (rules were tuned on it) and the held-out part (never tuned on):
precision, recall and F1 of promises found (per text, the first min(expected, found) count as
found, extra ones as false, missing ones as missed), and due-date accuracy: of the promises
both labelled and found, in reading order, the share whose due time is right to the minute
(or both undated). Then the p50/p95 of `find_promises` on 300-word drafts. `--errors` lists
the dev part's misses only, never the held-out part's.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from goodwill.promises.detect import find_promises  # noqa: E402

LABELLED = Path(__file__).resolve().parent.parent / "goodwill" / "promises" / "labelled"
GOALS = {"f1": 0.90, "due": 0.85, "p95_ms": 30.0}


def load_rows(name: str) -> list[dict]:
    with open(LABELLED / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def local(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M") if value else None


def evaluate(rows: list[dict], *, show_errors: bool) -> dict[str, float]:
    tp = fp = fn = due_ok = due_n = 0
    for row in rows:
        zone = ZoneInfo(row["tz"])
        now = datetime.fromisoformat(row["now"]).replace(tzinfo=zone)
        found = [local(p.due) for p in find_promises(row["text"], now=now, tz=zone)]
        expected = [p["due"] for p in row["promises"]]
        pairs = min(len(found), len(expected))
        tp += pairs
        fp += max(0, len(found) - len(expected))
        fn += max(0, len(expected) - len(found))
        due_n += pairs
        due_ok += sum(found[i] == expected[i] for i in range(pairs))
        if show_errors and found != expected:
            print(f"  {row['id']}: {row['text']!r}\n    expected {expected}\n    found    {found}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "texts": len(rows),
        "promises": tp + fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "due": due_ok / due_n if due_n else 1.0,
    }


def drafts_of_300_words(rows: list[dict], count: int) -> list[str]:
    """Drafts of ~300 words built from the labelled sentences plus filler, promises among them."""
    rng = random.Random(7)
    sentences = [row["text"] for row in rows]
    filler = (
        "Thanks for your message and for your patience while we looked into this for you. "
        "I have read through the history of your account and the notes from my colleagues. "
    )
    drafts = []
    for _ in range(count):
        parts: list[str] = ["Hi Maria,\n\n"]
        while sum(len(p.split()) for p in parts) < 300:
            parts.append(rng.choice([filler, rng.choice(sentences) + " "]))
        parts.append("\n\nBest wishes,\nSam")
        drafts.append("".join(parts))
    return drafts


def timing(rows: list[dict], repeat: int) -> tuple[list[float], list[float], float]:
    """Wall and CPU milliseconds per 300-word draft (CPU time: what a busy shared machine cannot inflate)."""
    drafts = drafts_of_300_words(rows, 50)
    now = datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("Europe/London"))
    find_promises(drafts[0], now=now, tz="Europe/London")  # warm up dateparser's tables
    wall, cpu = [], []
    for _ in range(repeat):
        for draft in drafts:
            start, start_cpu = time.perf_counter(), time.process_time()
            find_promises(draft, now=now, tz="Europe/London")
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    words = statistics.mean(len(d.split()) for d in drafts)
    return wall, cpu, words


def p95(samples: list[float]) -> float:
    return samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the dev part's misses")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    dev, heldout = load_rows("dev.jsonl"), load_rows("heldout.jsonl")
    print("promises: find_promises on the labelled sets (goodwill/promises/labelled/)")
    for name, rows, errors in (("dev", dev, args.errors), ("held-out", heldout, False)):
        m = evaluate(rows, show_errors=errors)
        print(
            f"  {name:9s} texts {m['texts']:4d}  promises {m['promises']:4d}  precision {m['precision']:.3f}"
            f"  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  due date right {m['due']:.3f}"
        )
    held = evaluate(heldout, show_errors=False)
    wall, cpu, words = timing(dev + heldout, args.repeat)
    wall_p95 = p95(wall)
    print(
        f"  analysis of a {words:.0f}-word draft ({len(wall)} runs): wall p50 {statistics.median(wall):.1f} ms,"
        f" p95 {wall_p95:.1f} ms; CPU p50 {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms"
    )
    print(
        f"  goals (held-out): F1 >= {GOALS['f1']} ({'met' if held['f1'] >= GOALS['f1'] else 'NOT met'}), "
        f"due date >= {GOALS['due']} ({'met' if held['due'] >= GOALS['due'] else 'NOT met'}), "
        f"wall p95 < {GOALS['p95_ms']:.0f} ms ({'met' if wall_p95 < GOALS['p95_ms'] else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
