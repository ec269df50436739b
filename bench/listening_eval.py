"""Listening: accuracy of the engine on the labelled sets, and its speed.

    .venv/bin/python bench/listening_eval.py [--errors] [--repeat N]

Prints, for the dev part (rules were tuned and the polarity model trained on it), the four
held-out parts (never tuned on) and the training part (the polarity model's, in-sample):
language and "not scored" correctness, sentiment polarity accuracy, abuse precision/recall/F1,
emotion F1 per emotion and macro-F1, urgency accuracy, and per finding code the tone check's
precision/recall. Then messages/s for ``analyze_message`` in this one process (one core), and
the p50/p95 of ``check_tone`` on a 300-word draft. ``--errors`` lists the dev part's misses
(and the training part's; never a held-out part's, so nobody tunes on them by accident).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from goodwill.listening.engine import EMOTIONS, analyze_message, check_tone  # noqa: E402
from goodwill.listening.engine.language import COVERED  # noqa: E402

LABELLED = Path(__file__).resolve().parent.parent / "goodwill" / "listening" / "labelled"
GOALS = {"polarity": 0.90, "abuse_f1": 0.90, "messages_per_s": 2000.0, "tone_p95_ms": 30.0}


def load_rows(name: str) -> list[dict]:
    with open(LABELLED / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate_messages(rows: list[dict], *, show_errors: bool) -> dict[str, float]:
    lang_ok = scored_ok = pol_ok = pol_n = urg_ok = urg_n = 0
    abuse = [0, 0, 0]
    emo = {e: [0, 0, 0] for e in EMOTIONS}
    for row in rows:
        a = analyze_message(row["text"])
        got_lang = a.language if a.language in COVERED else "other"
        lang_ok += got_lang == row["lang"]
        expect_scored = row["lang"] == "en"
        scored_ok += a.scored == expect_scored
        misses = []
        if got_lang != row["lang"] or a.scored != expect_scored:
            misses.append(f"lang {row['lang']}→{a.language} scored={a.scored}")
        if row["abusive"] and a.abusive:
            abuse[0] += 1
        elif a.abusive:
            abuse[1] += 1
            misses.append(f"abuse FP {a.abuse_triggers}")
        elif row["abusive"]:
            abuse[2] += 1
            misses.append("abuse FN")
        if expect_scored and a.scored:
            pol_n += 1
            pol_ok += a.polarity == row["polarity"]
            if a.polarity != row["polarity"]:
                misses.append(f"polarity {row['polarity']}→{a.polarity} ({a.sentiment} {a.cues})")
            urg_n += 1
            urg_ok += (a.urgency >= 0.5) == row["urgent"]
            for e in EMOTIONS:
                want, got = e in row["emotions"], a.emotions.get(e, 0.0) >= 0.5
                emo[e][0 if want and got else 1 if got else 2 if want else 0] += want or got
                if want != got:
                    misses.append(f"{e} {'FN' if want else 'FP'} {a.emotions.get(e)}")
        if show_errors and misses:
            print(f"  {row['id']}: {row['text'][:70]!r}\n      " + "; ".join(misses))
    _, _, abuse_f1 = f1(*abuse)
    emo_f1 = {e: f1(*v)[2] for e, v in emo.items()}
    result = {
        "messages": len(rows),
        "language": lang_ok / len(rows),
        "not_scored_right": scored_ok / len(rows),
        "polarity": pol_ok / pol_n,
        "polarity_n": pol_n,
        "abuse_p": f1(*abuse)[0],
        "abuse_r": f1(*abuse)[1],
        "abuse_f1": abuse_f1,
        "abusive_n": abuse[0] + abuse[2],
        "emotion_macro_f1": statistics.mean(emo_f1.values()),
        "urgency": urg_ok / urg_n,
    }
    result.update({f"f1_{e}": v for e, v in emo_f1.items()})
    return result


def evaluate_drafts(rows: list[dict], *, show_errors: bool) -> dict[str, object]:
    per_code: dict[str, list[int]] = {}
    exact = 0
    for row in rows:
        findings = check_tone(
            row["draft"],
            customer_name=row["customer_name"],
            preferred_name=row["preferred_name"],
            customer_mood=row["customer_mood"],
            jargon=row["jargon"],
        )
        got = {f.code for f in findings}
        want = set(row["expected"])
        exact += got == want
        for code in got | want:
            counts = per_code.setdefault(code, [0, 0, 0])
            counts[0 if code in got and code in want else 1 if code in got else 2] += 1
        if show_errors and got != want:
            print(f"  {row['id']}: missing {sorted(want - got)} extra {sorted(got - want)}")
    return {
        "drafts": len(rows),
        "exact": exact / len(rows) if rows else float("nan"),
        "codes": {c: f1(*v) for c, v in sorted(per_code.items())},
    }


def throughput(rows: list[dict], repeat: int) -> float:
    texts = [row["text"] for row in rows]
    for text in texts:  # warm: load models once
        analyze_message(text)
    start = time.process_time()
    for _ in range(repeat):
        for text in texts:
            analyze_message(text)
    return repeat * len(texts) / (time.process_time() - start)


def tone_latency() -> tuple[float, float, float, float, int]:
    """(wall p50, wall p95, CPU p50, CPU p95) in ms, and the draft's word count."""
    sentence = (
        "Hi Sam, thanks for your patience while we looked into the delayed order and the refund you asked about. "
        "I'm sorry this has taken so long; the courier lost the first parcel at their depot last week. "
        "I've sent a replacement by express delivery and you should see tracking details in your inbox tonight. "
    )
    words = sentence.split()
    draft = " ".join((words * 10)[:300])
    context = {
        "customer_name": "Sam Jones",
        "preferred_name": None,
        "customer_mood": -0.5,
        "jargon": ["SLA", "RMA"],
    }
    wall, cpu = [], []
    check_tone(draft, **context)  # type: ignore[arg-type]
    for _ in range(200):
        start, start_cpu = time.perf_counter(), time.process_time()
        check_tone(draft, **context)  # type: ignore[arg-type]
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    p50, p95 = len(wall) // 2, int(len(wall) * 0.95)
    return wall[p50], wall[p95], cpu[p50], cpu[p95], len(draft.split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--errors", action="store_true", help="list the dev part's misses")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--dev-only", action="store_true", help="while tuning: do not even look at held-out")
    args = parser.parse_args()
    parts = {
        "dev": (load_rows("messages_dev.jsonl"), load_rows("drafts_dev.jsonl")),
        "held-out": (load_rows("messages_heldout.jsonl"), load_rows("drafts_heldout.jsonl")),
        "held-out 2": (load_rows("messages_heldout2.jsonl"), []),
        "held-out 3": (load_rows("messages_heldout3.jsonl"), []),
        "held-out 4": (load_rows("messages_heldout4.jsonl"), []),
        "train": (load_rows("messages_train.jsonl"), []),
    }
    held_out = [name for name in parts if name.startswith("held-out")]
    if args.dev_only:
        for name in held_out:
            parts[name] = parts["dev"]
    results = {}
    for name, (messages, drafts) in parts.items():
        show = args.errors and name in ("dev", "train")
        if show:
            print(f"== {name} misses")
        results[name] = (
            evaluate_messages(messages, show_errors=show),
            evaluate_drafts(drafts, show_errors=show),
        )
    print("\n| figure | " + " | ".join(parts) + " | goal (held-out) |\n|" + "---|" * (len(parts) + 2))
    ms = [results[name][0] for name in parts]
    held = [results[name][0] for name in held_out]
    blank = [""] * (len(parts) - 2)

    def cells(fmt: str, *keys: str) -> list[str]:
        return [fmt.format(*(m[k] for k in keys)) for m in ms]

    rows = [
        ("messages (English scored)", *cells("{} ({})", "messages", "polarity_n"), ""),
        ("language right", *cells("{:.3f}", "language"), ""),
        ("scored / not scored right", *cells("{:.3f}", "not_scored_right"), ""),
        (
            "sentiment polarity accuracy",
            *cells("{:.3f}", "polarity"),
            _goal(min(m["polarity"] for m in held) >= GOALS["polarity"], "≥ 0.90"),
        ),
        ("abusive messages", *cells("{}", "abusive_n"), ""),
        ("abuse precision / recall", *cells("{:.3f} / {:.3f}", "abuse_p", "abuse_r"), ""),
        (
            "abuse F1",
            *cells("{:.3f}", "abuse_f1"),
            _goal(min(m["abuse_f1"] for m in held) >= GOALS["abuse_f1"], "≥ 0.90"),
        ),
        ("emotion macro-F1", *cells("{:.3f}", "emotion_macro_f1"), "reported"),
    ]
    rows += [(f"  F1 {e}", *cells("{:.3f}", "f1_" + e), "") for e in EMOTIONS]
    rows.append(("urgency accuracy", *cells("{:.3f}", "urgency"), ""))
    d_dev, d_ho = results["dev"][1], results["held-out"][1]
    rows.append(
        (
            "tone: drafts with exactly the expected findings",
            f"{d_dev['exact']:.3f}",
            f"{d_ho['exact']:.3f}",
            *blank,
            "",
        )
    )
    codes = sorted(set(d_dev["codes"]) | set(d_ho["codes"]))  # type: ignore[arg-type]
    for code in codes:
        tone_cells = []
        for part in (d_dev, d_ho):
            p, r, _ = part["codes"].get(code, (float("nan"),) * 3)  # type: ignore[union-attr]
            tone_cells.append(f"P {p:.2f} R {r:.2f}")
        rows.append((f"  tone {code}", tone_cells[0], tone_cells[1], *blank, ""))

    for row in rows:
        print("| " + " | ".join(row) + " |")
    all_messages = parts["dev"][0] + parts["held-out"][0]
    rate = throughput(all_messages, args.repeat)
    p50, p95, cpu50, cpu95, words = tone_latency()
    load = os.getloadavg()[0]
    print(
        f"\nanalyze_message: {rate:,.0f} messages/s of CPU time in one process "
        f"({_goal(rate >= GOALS['messages_per_s'], '≥ 2,000')}); load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"check_tone, {words}-word draft: wall p50 {p50:.2f} ms, p95 {p95:.2f} ms "
        f"({_goal(p95 < GOALS['tone_p95_ms'], '< 30 ms')}); CPU p50 {cpu50:.2f} ms, p95 {cpu95:.2f} ms"
    )


def _goal(met: bool, text: str) -> str:
    return f"{text}: {'met' if met else 'NOT met'}"


if __name__ == "__main__":
    main()
