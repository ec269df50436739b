"""`goodwill analyze` (CONTRACTS.md), run as the real command in its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def analyze(text: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "goodwill", "analyze", *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "GOODWILL_DATA_DIR": os.environ.get("GOODWILL_DATA_DIR", "/tmp/goodwill-analyze-test"),
        },
    )


@pytest.mark.slow
def test_reply_prints_promises_with_due_dates_and_tone():
    text = "Hi Carla,\n\nThanks for waiting. I'll call you back tomorrow and we'll ship it within 3 working days.\n\nSam"
    done = analyze(text, "--kind", "reply", "--now", "2026-12-11T09:00", "--tz", "Europe/Berlin")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) == {"sentiment", "emotions", "abusive", "promises", "tone"}
    assert result["promises"] == [
        {"text": "I'll call you back tomorrow", "due": "2026-12-12T17:00:00+01:00"},
        {"text": "we'll ship it within 3 working days.", "due": "2026-12-16T17:00:00+01:00"},
    ]
    assert all(set(finding) == {"code", "message", "suggestion"} for finding in result["tone"])
    assert isinstance(result["abusive"], bool) and set(result["emotions"]) >= {"anger", "joy"}


@pytest.mark.slow
def test_inbound_reads_the_customer_and_finds_no_promises_of_ours():
    done = analyze("This is the third time I write. I will send the photo tomorrow. Furious!")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["promises"] == [] and result["tone"] == []
    assert result["sentiment"] < 0


@pytest.mark.slow
def test_bad_zone_is_a_clear_error():
    done = analyze("Hi", "--tz", "Mars/Olympus")
    assert done.returncode != 0 and "--tz" in done.stderr and not done.stdout.strip()
