"""Rules, loops and time rules through a real `goodwill worker`, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from goodwill.core.testing import clean_env, python_json, run_goodwill

pytestmark = pytest.mark.slow

SETUP = """
import json
from goodwill.automation.models import Rule
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
updated = ["updated"]
PING = {"field": "subject", "op": "contains", "value": "ping"}
Rule.objects.create(name="Refunds are urgent", is_active=True, triggers=["created"],
    conditions=[{"field": "text", "op": "contains", "value": "refund"}],
    actions=[{"type": "set_priority", "value": "4"}, {"type": "add_note", "value": "Refund asked"}])
Rule.objects.create(name="Up", position=1, is_active=True, triggers=updated,
    conditions=[{"field": "priority", "op": "is", "value": "1"}, PING], actions=[{"type": "set_priority", "value": "4"}])
Rule.objects.create(name="Down", position=2, is_active=True, triggers=updated,
    conditions=[{"field": "priority", "op": "is", "value": "4"}, PING], actions=[{"type": "set_priority", "value": "1"}])
Rule.objects.create(name="Stale", kind="time", is_active=True,
    conditions=[{"field": "status", "op": "is", "value": "pending"}, {"field": "hours_since_status", "op": "more_than", "value": "120"}],
    actions=[{"type": "set_status", "value": "solved"}])
customer = create_customer(name="C", emails=["c@example.com"])
open_conversation(customer=customer, subject="Refund", channel="email", text="I want a refund")
open_conversation(customer=customer, subject="Ping pong", channel="email", text="Hello")
print(json.dumps("ok"))
"""

STATE = """
import json
from goodwill.automation.models import RuleRun
from goodwill.conversations.models import Conversation
c = Conversation.objects.get(number=NUMBER)
runs = sorted(RuleRun.objects.filter(conversation=c).values_list("rule__name", flat=True))
print(json.dumps({"priority": c.priority, "status": c.status, "notes": c.messages.filter(kind="note").count(), "runs": runs}))
"""

TOUCH = """
import json
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import change_status, set_priority
set_priority(Conversation.objects.get(number=2), 1, by=None)
change_status(Conversation.objects.get(number=1), "pending", by=None)
print(json.dumps("ok"))
"""

SWEEP = """
import json
from datetime import timedelta
from django.utils import timezone
from goodwill.automation.engine import run_time_rules
print(json.dumps([run_time_rules(timezone.now() + timedelta(days=6)), run_time_rules(timezone.now() + timedelta(days=6))]))
"""


def state_of(number: int, env: dict[str, str]) -> dict[str, object]:
    return python_json(STATE.replace("NUMBER", str(number)), env)  # type: ignore[return-value]


def scenario(env: dict[str, str]) -> None:
    python_json(SETUP, env)
    worker = run_goodwill(["worker", "--batch"], env)
    assert worker.returncode == 0, worker.stderr
    state = state_of(1, env)
    assert state == {"priority": 4, "status": "new", "notes": 1, "runs": ["Refunds are urgent"]}

    python_json(TOUCH, env)  # a person lowers the priority: Up and Down play, then settle
    worker = run_goodwill(["worker", "--batch"], env)
    assert worker.returncode == 0, worker.stderr
    state = state_of(2, env)
    assert state["priority"] == 4
    assert state["runs"].count("Down") == 1 and state["runs"].count("Up") == 2

    assert python_json(SWEEP, env) == ["Stale: 1", "nothing to do"]
    assert state_of(1, env)["status"] == "solved"


def test_rules_loops_and_time_rules_through_the_worker_on_sqlite(migrated_data_dir: Path) -> None:
    scenario(clean_env(migrated_data_dir))


def test_rules_loops_and_time_rules_through_the_worker_on_postgresql(
    postgres_data_dir: tuple[Path, str],
) -> None:
    data_dir, url = postgres_data_dir
    scenario(clean_env(data_dir, GOODWILL_DATABASE_URL=url))
