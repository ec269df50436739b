"""Periodic jobs: one claimer per due run, outcomes on the row, run on demand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from goodwill.core import periodic
from goodwill.core.models import PeriodicJob

pytestmark = pytest.mark.django_db

RUNS: list[datetime] = []


def sample_job(now: datetime) -> str:
    RUNS.append(now)
    return f"ran {len(RUNS)}"


def failing_job(now: datetime) -> str:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def jobs():
    RUNS.clear()
    periodic.override_jobs(
        {
            "sample": (f"{__name__}.sample_job", 60),
            "failing": (f"{__name__}.failing_job", 300),
        }
    )
    yield
    periodic.override_jobs(None)


def test_a_due_job_is_claimed_once_per_interval():
    now = timezone.now()
    assert sorted(periodic.claim_due(now)) == ["failing", "sample"]
    # A second worker in the same beat, or the next beat: nothing is due yet.
    assert periodic.claim_due(now) == []
    assert periodic.claim_due(now + timedelta(seconds=59)) == []
    assert periodic.claim_due(now + timedelta(seconds=61)) == ["sample"]
    assert PeriodicJob.objects.get(name="sample").next_run_at == now + timedelta(seconds=121)


def test_running_records_result_and_error():
    assert periodic.run_job("sample") == "ran 1"
    row = PeriodicJob.objects.get(name="sample")
    assert row.runs == 1 and row.last_result == "ran 1" and row.last_error == ""
    with pytest.raises(RuntimeError):
        periodic.run_job("failing")
    assert PeriodicJob.objects.get(name="failing").last_error == "RuntimeError: boom"


def test_the_task_runs_the_job_and_swallows_its_failure():
    periodic.run_periodic_job.call("sample")
    periodic.run_periodic_job.call("failing")
    periodic.run_periodic_job.call("gone")
    assert len(RUNS) == 1


def test_command_runs_named_jobs(capsys):
    call_command("run_periodic", "sample")
    assert "sample: ran 1" in capsys.readouterr().out
    call_command("run_periodic", "--list")
    assert "sample\tevery 60s" in capsys.readouterr().out

