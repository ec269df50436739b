"""The sweep warns before breach and escalates at breach, once, however many workers sweep."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from goodwill.accounts.models import Notification, TeamMembership
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.models import Event
from goodwill.core.testing import clean_env, python_json, run_goodwill, run_workers_together
from goodwill.expectations.jobs import claim_breach, escalate_target, sweep
from goodwill.expectations.models import SlaPolicy, SlaTarget
from goodwill.expectations.tests.conftest import run_queued_subscribers

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def breaching(policy, agent, teammate, support_team, customer, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    TeamMembership.objects.filter(agent=teammate, team=support_team).update(is_lead=True)
    policy.raise_priority = True
    policy.reassign_to = teammate
    policy.save()
    with django_capture_on_commit_callbacks(execute=True):
        conversation, _ = open_conversation(
            customer=customer, subject="Broken", channel="email", team=support_team, at=T0
        )
        Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)
    run_queued_subscribers()
    return conversation


@pytest.mark.django_db
def test_a_warning_goes_to_the_assignee_once_before_breach(breaching, agent):
    assert sweep(T0 + timedelta(minutes=44)) == ""
    assert sweep(T0 + timedelta(minutes=46)) == "1 warned, 0 escalated"
    assert sweep(T0 + timedelta(minutes=50)) == ""
    notice = Notification.objects.get(agent=agent)
    assert notice.key.startswith("sla-warn:") and "due in 14m" in notice.title


@pytest.mark.django_db
def test_at_breach_it_notifies_raises_priority_and_reassigns_once(breaching, agent, teammate):
    assert sweep(T0 + timedelta(hours=2)) == "0 warned, 1 escalated"
    assert sweep(T0 + timedelta(hours=3)) == ""
    breaching.refresh_from_db()
    assert breaching.priority == Conversation.Priority.HIGH and breaching.assignee == teammate
    target = SlaTarget.objects.get(conversation=breaching, kind="first_response")
    assert target.breached_at is not None and "changed assignee, priority" in target.escalation
    breach_notices = Notification.objects.filter(key=f"sla-breach:{target.pk}")
    assert sorted(n.agent.email for n in breach_notices) == [agent.email, teammate.email]
    kinds = list(
        Event.objects.filter(
            conversation=breaching, kind__in=["conversation.priority", "conversation.assigned"]
        ).values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["conversation.assigned", "conversation.priority"]


@pytest.mark.django_db
def test_of_two_claimers_only_one_wins(breaching):
    target = SlaTarget.objects.get(conversation=breaching, kind="first_response")
    now = T0 + timedelta(hours=2)
    assert [claim_breach(target.pk, now), claim_breach(target.pk, now)] == [True, False]
    assert escalate_target(target.pk, now) is False


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_escalate_once(always_open, support_team, customer):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the subprocess test covers it")
    SlaPolicy.objects.create(name="Fast", first_response_minutes=1, raise_priority=True)
    conversation, _ = open_conversation(customer=customer, subject="x", channel="email", at=T0)
    run_queued_subscribers()
    pk = SlaTarget.objects.get(conversation=conversation, kind="first_response").pk
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def race() -> None:
        barrier.wait()
        try:
            results.append(escalate_target(pk, T0 + timedelta(hours=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.HIGH


SETUP = """
from datetime import timedelta
from django.utils import timezone
from goodwill.accounts.models import Agent, Team, TeamMembership
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
from goodwill.expectations.models import Schedule, SlaPolicy
team = Team.objects.create(name="Support", slug="support")
lead = Agent.objects.create_user("lead@example.com", name="Lea Lead", password="x")
TeamMembership.objects.create(agent=lead, team=team, is_lead=True)
Schedule.objects.create(name="Always", is_default=True, hours={str(d): [["00:00", "00:00"]] for d in range(7)})
SlaPolicy.objects.create(name="Fast", first_response_minutes=30, raise_priority=True, reassign_to=lead)
customer = create_customer(name="Carla", emails=["carla@example.test"])
for n in range(3):
    open_conversation(customer=customer, subject=f"Late {n}", channel="email", team=team,
                      at=timezone.now() - timedelta(hours=2))
"""
OUTCOME = """
import json
from goodwill.accounts.models import Notification
from goodwill.core.models import Event
from goodwill.expectations.models import SlaTarget
targets = SlaTarget.objects.filter(kind="first_response")
print(json.dumps({
    "escalated": targets.filter(breached_at__isnull=False).count(),
    "targets": targets.count(),
    "priority_events": Event.objects.filter(kind="conversation.priority").count(),
    "assign_events": Event.objects.filter(kind="conversation.assigned").count(),
    "breach_notices": Notification.objects.filter(key__startswith="sla-breach:").count(),
}))
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def worker_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "sqlite":
        return clean_env(request.getfixturevalue("migrated_data_dir"))
    data_dir, url = request.getfixturevalue("postgres_data_dir")
    return clean_env(data_dir, GOODWILL_DATABASE_URL=url)


def test_escalation_runs_once_through_two_workers_and_repeated_sweeps(worker_env: dict[str, str]) -> None:
    """Clocks start in the worker (event seam); two workers then run the sweep twice each at once."""
    setup = run_goodwill(["shell", "-c", SETUP], worker_env)
    assert setup.returncode == 0, setup.stderr
    started = run_goodwill(["worker", "--batch"], worker_env)
    assert started.returncode == 0, started.stderr
    queue = "from goodwill.core.periodic import run_periodic_job\nfor _ in range(2): run_periodic_job.enqueue('sla.sweep')"
    for _ in range(2):
        assert run_goodwill(["shell", "-c", queue], worker_env).returncode == 0
    ran = run_workers_together(worker_env)
    assert [status for status, _output in ran] == [0, 0], ran
    outcome = python_json(OUTCOME, worker_env)
    assert outcome == {
        "escalated": 3,
        "targets": 3,
        "priority_events": 3,
        "assign_events": 3,
        "breach_notices": 3,
    }
