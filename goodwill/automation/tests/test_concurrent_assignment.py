"""Two worker processes assigning the same team's conversations at once never push an agent past
the limit, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from goodwill.core.testing import PYTHON, clean_env, python_json

pytestmark = pytest.mark.slow

SETUP = """
import json
from goodwill.accounts.models import Team
from goodwill.accounts.services import add_to_team, create_or_update_agent
from goodwill.automation.models import AssignmentPolicy
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.customers.services import create_customer
with subscribed({}):
    team = Team.objects.create(name="Support", slug="support")
    AssignmentPolicy.objects.create(team=team, max_open=2)
    for name in ("ann", "ben", "cat"):
        add_to_team(create_or_update_agent(f"{name}@example.com", name=name, role="agent")[0], team)
    customer = create_customer(name="C", emails=["c@example.com"])
    for n in range(12):
        open_conversation(customer=customer, subject=f"Q{n}", channel="email", text="Hi", team=team)
print(json.dumps("ok"))
"""

RACE = """
import django
django.setup()
from goodwill.automation.assignment import assign_by_policy
from goodwill.conversations.models import Conversation
from goodwill.core.events import subscribed
with subscribed({}):
    for conversation in Conversation.objects.order_by("{order}"):
        for _try in range(20):
            try:
                assign_by_policy(Conversation.objects.get(pk=conversation.pk))
                break
            except Exception as error:  # SQLite: database is locked; try again
                if "locked" not in str(error):
                    raise
"""

RESULT = """
import json
from django.db.models import Count
from goodwill.conversations.models import Conversation
rows = Conversation.objects.filter(assignee__isnull=False).values("assignee__email").annotate(n=Count("id"))
print(json.dumps({row["assignee__email"]: row["n"] for row in rows}))
"""


def race(env: dict[str, str]) -> dict[str, int]:
    assert python_json(SETUP, env) == "ok"
    workers = [
        subprocess.Popen(
            [PYTHON, "-c", RACE.replace("{order}", order)], env=env, stderr=subprocess.PIPE, text=True
        )
        for order in ("pk", "-pk")
    ]
    errors = [worker.communicate(timeout=180)[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], errors
    return python_json(RESULT, env)  # type: ignore[return-value]


def test_two_processes_respect_the_limit_on_sqlite(migrated_data_dir: Path) -> None:
    counts = race(clean_env(migrated_data_dir))
    assert counts == {"ann@example.com": 2, "ben@example.com": 2, "cat@example.com": 2}


def test_two_processes_respect_the_limit_on_postgresql(postgres_data_dir: tuple[Path, str]) -> None:
    data_dir, url = postgres_data_dir
    counts = race(clean_env(data_dir, GOODWILL_DATABASE_URL=url))
    assert counts == {"ann@example.com": 2, "ben@example.com": 2, "cat@example.com": 2}
