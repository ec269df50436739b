"""Subscribers only the tests list: each leaves a row the test can count."""

from __future__ import annotations

from goodwill.core.models import Event
from goodwill.core.services import record_event

FAIL_ON: set[int] = set()  # event ids `fails_once` fails on, once each


def leave_mark(event: Event) -> None:
    """Record an OTHER event naming the event it saw (nobody subscribes to OTHER)."""
    record_event(Event.Kind.OTHER, after={"saw": event.pk, "kind": event.kind})


def fails_once(event: Event) -> None:
    """Write its mark, then fail the first time it sees an event listed in FAIL_ON."""
    record_event(Event.Kind.OTHER, after={"saw": event.pk, "kind": event.kind})
    if event.pk in FAIL_ON:
        FAIL_ON.discard(event.pk)
        raise RuntimeError(f"planned failure on event {event.pk}")


def marks_in_batches(event: Event) -> None:
    """`fails_once` with a batch form: `marks_in_batches.batch(events)` marks them all at once."""
    fails_once(event)


def _mark_batch(events: list[Event]) -> None:
    """Mark every event (noting the batch), then fail if one of them is listed in FAIL_ON
    (without crossing it off: the one-at-a-time retry of `fails_once` does that)."""
    for event in events:
        record_event(Event.Kind.OTHER, after={"saw": event.pk, "kind": event.kind, "batch": len(events)})
    if any(event.pk in FAIL_ON for event in events):
        raise RuntimeError("planned failure in a batch")


marks_in_batches.batch = _mark_batch  # type: ignore[attr-defined]


def marks_held(event: Event) -> None:
    """`leave_mark` with a batch form that can be held (see `_mark_held_batch`)."""
    leave_mark(event)


def _mark_held_batch(events: list[Event]) -> None:
    """Mark every event (noting the batch); with GOODWILL_TEST_HOLD=<dir>, first write
    <dir>/held and wait until <dir>/go exists (a test kills the worker meanwhile)."""
    import os
    import time
    from pathlib import Path

    for event in events:
        record_event(Event.Kind.OTHER, after={"saw": event.pk, "kind": event.kind, "batch": len(events)})
    hold = os.environ.get("GOODWILL_TEST_HOLD")
    if hold:
        (Path(hold) / "held").write_text(str(len(events)))
        while not (Path(hold) / "go").exists():
            time.sleep(0.05)


marks_held.batch = _mark_held_batch  # type: ignore[attr-defined]
