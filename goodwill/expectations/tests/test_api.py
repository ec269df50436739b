"""The API shows a conversation's SLA targets to agents who may see it."""

from __future__ import annotations

import pytest

from goodwill.accounts.services import issue_api_token
from goodwill.api.tests.conftest import ApiClient
from goodwill.conversations.services import open_conversation, set_team
from goodwill.expectations.tests.conftest import run_queued_subscribers

pytestmark = pytest.mark.django_db


def test_targets_of_a_visible_conversation_and_404_for_a_hidden_one(
    policy, agent, outsider, billing_team, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        conversation, _ = open_conversation(customer=customer, subject="x", channel="email")
    run_queued_subscribers()
    answer = ApiClient(issue_api_token(agent)).get(f"/conversations/{conversation.number}/sla").json()
    assert sorted(t["kind"] for t in answer["targets"]) == ["first_response", "resolution"]
    assert answer["due_at"] is not None and answer["targets"][0]["policy"] == "Standard"
    set_team(conversation, billing_team, by=None)
    hidden = ApiClient(issue_api_token(agent)).get(f"/conversations/{conversation.number}/sla")
    assert hidden.status_code == 404
    assert ApiClient(issue_api_token(outsider)).get(f"/conversations/{conversation.number}/sla").status_code == 200
