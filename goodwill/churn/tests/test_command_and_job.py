"""`goodwill churn-watch [--dry-run]` and the worker's daily "churn.rebuild" job."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from goodwill.churn.models import ChurnEntry, ChurnRun
from goodwill.churn.tests.conftest import broken_promise
from goodwill.core.periodic import registered_jobs, run_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def rita(history):  # type: ignore[no-untyped-def]
    # Days before the real clock: the command and the job use it.
    today = timezone.now()
    conversations = history("Rita Regular", [116, 95, 74, 53], anchor=today)
    broken_promise(conversations[-1], anchor=today)
    return conversations[0].customer


def test_dry_run_prints_the_list_and_saves_nothing(rita):
    out = StringIO()
    call_command("churn_watch", "--dry-run", stdout=out)
    text = out.getvalue()
    assert text.startswith("would list 1 of 1 customers in ")
    assert f"1. customer {rita.pk} (no value): Last conversation" in text
    assert not ChurnEntry.objects.exists() and not ChurnRun.objects.exists()


def test_the_command_rebuilds(rita):
    out = StringIO()
    call_command("churn_watch", stdout=out)
    assert out.getvalue().startswith("listed 1 of 1 customers")
    assert ChurnEntry.objects.get().customer == rita
    assert ChurnRun.objects.get().trigger == "command"


def test_the_daily_job_is_registered_and_rebuilds(rita):
    assert registered_jobs()["churn.rebuild"] == ("goodwill.churn.jobs.rebuild", 24 * 60 * 60)
    result = run_job("churn.rebuild")
    assert result.startswith("1 customers listed of 1")
    assert ChurnEntry.objects.get().customer == rita
