"""The worker warms the listening engine up when it starts (settings.WORKER_WARM_UP)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

CALLS: list[str] = []


def record() -> None:
    CALLS.append("warmed")


def test_the_settings_name_the_engine_warm_up():
    assert "goodwill.listening.engine.warm_up" in settings.WORKER_WARM_UP


def test_the_worker_runs_each_warm_up_once_at_start(settings):  # type: ignore[no-untyped-def]
    settings.WORKER_WARM_UP = [f"{__name__}.record"]
    CALLS.clear()
    call_command("worker", batch=True)
    assert CALLS == ["warmed"]
