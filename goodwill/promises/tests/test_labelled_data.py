"""The labelled sets are big enough, valid, and the held-out part never overlaps the dev part."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LABELLED = Path(__file__).resolve().parent.parent / "labelled"


def rows(name):
    with open(LABELLED / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_sets_are_valid_and_apart():
    dev, heldout = rows("dev.jsonl"), rows("heldout.jsonl")
    assert len(dev) + len(heldout) >= 250 and len(heldout) >= 100
    for row in dev + heldout:
        ZoneInfo(row["tz"])
        datetime.fromisoformat(row["now"])
        for promise in row["promises"]:
            assert promise["due"] is None or datetime.fromisoformat(promise["due"])
    assert not {r["id"] for r in dev} & {r["id"] for r in heldout}
    assert not {r["text"] for r in dev} & {r["text"] for r in heldout}
    assert len({r["tz"] for r in dev + heldout}) >= 5
    assert sum(1 for r in dev + heldout if not r["promises"]) >= 80  # sentences without promises
