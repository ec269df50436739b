"""Theme grouping: clear groups come apart, contentless answers stay unassigned, the command keeps its contract."""

from __future__ import annotations

import json

from goodwill.core.testing import clean_env, run_goodwill
from goodwill.voice.themes import group_answers

ANSWERS = [
    ("r1", "Refunds are quick and the refund arrives in two days"),
    ("r2", "Quick refund, the refund process is painless"),
    ("r3", "Easy refund whenever a refund was needed"),
    ("d1", "Delivery always on time, delivery is reliable"),
    ("d2", "Reliable delivery, the delivery courier is on time"),
    ("d3", "On-time delivery every week, delivery never late"),
    ("x1", "n/a"),
    ("x2", "ok"),
]


def test_two_clear_groups_and_the_empty_answers():
    grouping = group_answers(ANSWERS, k=2)
    groups = sorted(sorted(theme.ids) for theme in grouping.themes)
    assert groups == [["d1", "d2", "d3"], ["r1", "r2", "r3"]]
    assert sorted(grouping.unassigned) == ["x1", "x2"]
    names = " ".join(theme.name for theme in grouping.themes)
    assert "refund" in names and "delivery" in names
    assert all(len(theme.quotes) == 3 for theme in grouping.themes)


def test_too_few_answers_are_all_unassigned():
    assert group_answers([("a", "Great refunds policy"), ("b", "n/a")]).unassigned == ["a", "b"]


def test_the_command_reads_json_lines_and_prints_the_contract(tmp_path):
    lines = "\n".join(json.dumps({"id": pk, "text": text}) for pk, text in ANSWERS)
    out = run_goodwill(["themes", "--k", "2"], clean_env(tmp_path), input=lines)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(body) == {"themes", "unassigned"}
    found = {frozenset(theme["ids"]) for theme in body["themes"]}
    assert found == {frozenset({"r1", "r2", "r3"}), frozenset({"d1", "d2", "d3"})}
    bad = run_goodwill(["themes"], clean_env(tmp_path), input="not json\n")
    assert bad.returncode != 0 and "line 1" in bad.stderr
