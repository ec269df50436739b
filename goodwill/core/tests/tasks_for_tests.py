"""Tasks that only the tests enqueue: they leave a visible trace the test can read back."""

from __future__ import annotations

from pathlib import Path

from goodwill.core.models import Event
from goodwill.core.services import record_event
from goodwill.core.tasks import retrying_task


@retrying_task(max_attempts=3)
def leave_mark(label: str) -> None:
    """Record an event carrying `label`, so a test can see the worker ran the task."""
    record_event(Event.Kind.OTHER, after={"mark": label})


def _fail_then_mark(counter_path: str, label: str, failures: int) -> None:
    counter = Path(counter_path)
    runs = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(runs + 1))
    if runs < failures:
        raise RuntimeError(f"planned failure {runs + 1} of {failures}")
    record_event(Event.Kind.OTHER, after={"mark": label, "runs": runs + 1})


@retrying_task(max_attempts=3)
def fail_then_mark(counter_path: str, label: str, failures: int = 1) -> None:
    """Fail the first `failures` runs (counted in a file), then record an event."""
    _fail_then_mark(counter_path, label, failures)


@retrying_task(max_attempts=3, backoff_base=0.0)
def fail_then_mark_now(counter_path: str, label: str, failures: int = 1) -> None:
    """`fail_then_mark` without the wait, so one batch run of the worker sees the retries."""
    _fail_then_mark(counter_path, label, failures)
