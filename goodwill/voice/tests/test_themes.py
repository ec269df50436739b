"""Theme grouping, by keywords and (with the [ml] extra) by embeddings: clear groups come apart,
contentless answers stay unassigned, the command keeps its contract."""

from __future__ import annotations

import json

import pytest

from goodwill.core.testing import clean_env, run_goodwill
from goodwill.voice import embeddings
from goodwill.voice.themes import KEYWORDS, group_answers

EMBEDDED = pytest.param(
    embeddings.METHOD,
    marks=pytest.mark.skipif(not embeddings.installed(), reason="the [ml] extra is not installed"),
)
METHODS = [KEYWORDS, EMBEDDED]

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


@pytest.mark.parametrize("method", METHODS)
def test_two_clear_groups_and_the_empty_answers(method):
    grouping = group_answers(ANSWERS, k=2, method=method)
    assert grouping.method == method
    groups = sorted(sorted(theme.ids) for theme in grouping.themes)
    assert groups == [["d1", "d2", "d3"], ["r1", "r2", "r3"]]
    assert sorted(grouping.unassigned) == ["x1", "x2"]
    names = " ".join(theme.name for theme in grouping.themes)
    assert "refund" in names and "delivery" in names
    assert all(len(theme.quotes) == 3 for theme in grouping.themes)


@pytest.mark.parametrize("method", METHODS)
def test_too_few_answers_are_all_unassigned(method):
    assert group_answers([("a", "Great refunds policy"), ("b", "n/a")], method=method).unassigned == [
        "a",
        "b",
    ]


SYNONYMS = [
    ("p1", "Kind staff who are patient with me."),
    ("p2", "Friendly people, they really listen."),
    ("p3", "Your team is warm and polite."),
    ("s1", "Fast replies, within the hour."),
    ("s2", "Quick answers, no waiting around."),
    ("s3", "You respond promptly, the same day."),
    ("x1", "Is the shop open on Sundays?"),
]


@pytest.mark.parametrize("method", [EMBEDDED])
def test_embeddings_group_by_meaning_and_leave_the_off_topic_answer_out(method):
    grouping = group_answers(SYNONYMS, method=method)
    groups = sorted(sorted(theme.ids) for theme in grouping.themes)
    assert groups == [["p1", "p2", "p3"], ["s1", "s2", "s3"]]
    assert grouping.unassigned == ["x1"]
    assert all(theme.name and len(theme.quotes) == 3 for theme in grouping.themes)


def test_the_command_reads_json_lines_and_prints_the_contract(tmp_path):
    lines = "\n".join(json.dumps({"id": pk, "text": text}) for pk, text in ANSWERS)
    out = run_goodwill(["themes", "--k", "2"], clean_env(tmp_path), input=lines)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(body) == {"themes", "unassigned", "method"}
    found = {frozenset(theme["ids"]) for theme in body["themes"]}
    assert found == {frozenset({"r1", "r2", "r3"}), frozenset({"d1", "d2", "d3"})}
    keywords = run_goodwill(["themes", "--method", "keywords"], clean_env(tmp_path), input=lines)
    assert json.loads(keywords.stdout.strip().splitlines()[-1])["method"] == "keywords"
    bad = run_goodwill(["themes"], clean_env(tmp_path), input="not json\n")
    assert bad.returncode != 0 and "line 1" in bad.stderr
