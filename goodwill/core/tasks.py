"""Helpers for background tasks: retries with exponential backoff.

django-tasks runs each task once; idempotent Goodwill tasks re-enqueue themselves
with a growing delay when they fail, up to `max_attempts`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("goodwill.tasks")


def backoff_delay(attempt: int, *, base: float = 10.0, cap: float = 3600.0) -> timedelta:
    """Delay before retry number `attempt` (1-based): 10 s, 20 s, 40 s… at most an hour."""
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempt - 1))))


def retrying_task(
    max_attempts: int = 6, *, backoff_base: float = 10.0, **task_options: Any
) -> Callable[[Callable[..., Any]], Any]:
    """Like django-tasks' `@task`, but a failure re-enqueues the task with backoff.

    Use it on module-level functions; the attempt number travels in the `_attempt`
    keyword, which the wrapper strips before calling the function. Retry n waits
    `backoff_base * 2**(n-1)` seconds (capped at an hour).
    """

    def decorate(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, _attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception:
                if _attempt >= max_attempts:
                    logger.exception("task %s gave up after %d attempts", func.__name__, _attempt)
                    raise
                logger.warning("task %s failed (attempt %d), retrying", func.__name__, _attempt)
                task_obj.using(run_after=timezone.now() + backoff_delay(_attempt, base=backoff_base)).enqueue(
                    *args, _attempt=_attempt + 1, **kwargs
                )
                return None

        task_obj = task(**task_options)(wrapper)
        return task_obj

    return decorate
