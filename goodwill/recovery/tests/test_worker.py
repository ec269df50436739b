"""End to end: a broken promise's event is picked up by a running `goodwill worker` process, which
opens the recovery case (the other trigger tests run the subscriber tasks in-process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from goodwill.core.testing import (
    clean_env,
    migrated_data_dir,
    migrated_template,
    postgres_data_dir,
    python_json,
    start_worker,
    stop,
    wait_until,
)

__all__ = ["migrated_data_dir", "migrated_template", "postgres_data_dir"]
pytestmark = pytest.mark.slow

BREAK_A_PROMISE = """
import json
from datetime import timedelta
from django.utils import timezone
from goodwill.accounts.models import Team
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.conversations.services import assign_conversation, open_conversation
from goodwill.customers.services import create_customer
from goodwill.promises.services import close_promise, confirm_promise
team = Team.objects.create(name="Front desk", slug="front-desk")
agent = create_or_update_agent("sam@example.test", name="Sam")[0]
add_to_team(agent, team)
customer = create_customer(name="Carla", emails=["carla@example.test"])
conversation = open_conversation(customer=customer, subject="Broken kettle", channel="email",
                                 text="My kettle broke.", team=team)[0]
assign_conversation(conversation, to=agent, by=None)
promise = confirm_promise(conversation, by=agent, text="I'll call you back tomorrow.",
                          due_at=timezone.now() + timedelta(days=1))
close_promise(promise, by=agent, closing="broken", reason="The engineer was ill")
print(json.dumps({"promise": promise.pk, "conversation": conversation.pk, "team": team.pk, "agent": agent.pk}))
"""

CASES = """
import json
from goodwill.recovery.models import RecoveryCase
print(json.dumps(list(RecoveryCase.objects.values("trigger", "source_key", "conversation_id", "team_id",
                                                    "owner_id", "status"))))
"""


def scenario(env: dict[str, str]) -> None:
    made = python_json(BREAK_A_PROMISE, env)
    assert isinstance(made, dict)
    assert python_json(CASES, env) == []  # the event is queued; nothing opened the case in-process
    worker = start_worker(env, "--interval", "0.2")
    try:
        cases = wait_until(
            lambda: python_json(CASES, env), process=worker, timeout=300, what="a recovery case"
        )
    finally:
        stop(worker)
    assert cases == [
        {
            "trigger": "promise_broken",
            "source_key": f"promise:{made['promise']}",
            "conversation_id": made["conversation"],
            "team_id": made["team"],
            "owner_id": made["agent"],
            "status": "open",
        }
    ]
    assert python_json(CASES, env) == cases  # one case, also after the worker stopped


def test_a_running_worker_opens_the_case_on_sqlite(migrated_data_dir: Path) -> None:
    scenario(clean_env(migrated_data_dir))


def test_a_running_worker_opens_the_case_on_postgresql(postgres_data_dir: tuple[Path, str]) -> None:
    data_dir, url = postgres_data_dir
    scenario(clean_env(data_dir, GOODWILL_DATABASE_URL=url))
