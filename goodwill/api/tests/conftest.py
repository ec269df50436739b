"""An API client that speaks for one persona through a real Bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from goodwill.accounts.models import Agent
from goodwill.accounts.services import issue_api_token
from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation, set_team
from goodwill.customers.models import Customer


class ApiClient:
    def __init__(self, token: str | None) -> None:
        self.token = token
        self.client = Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers())

    def post(self, path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(f"/api/v1{path}", data, content_type="application/json", headers=self._headers())

    def patch(self, path: str, body: Any = None, raw: bytes | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body)
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json", headers=self._headers())


@pytest.fixture
def api_as():  # type: ignore[no-untyped-def]
    """api_as(agent) → a client sending that agent's freshly issued token."""

    def make(agent: Agent | None) -> ApiClient:
        return ApiClient(issue_api_token(agent) if agent is not None else None)

    return make


@pytest.fixture
def support_conversation(customer: Customer, support_team) -> Conversation:  # type: ignore[no-untyped-def]
    conversation, _ = open_conversation(
        customer=customer, subject="Parcel never arrived", channel="email", text="Where is my parcel?"
    )
    set_team(conversation, support_team, by=None)
    return conversation


@pytest.fixture
def billing_conversation(customer: Customer, billing_team) -> Conversation:  # type: ignore[no-untyped-def]
    conversation, _ = open_conversation(
        customer=customer, subject="Refund my invoice", channel="email", text="I was charged twice."
    )
    set_team(conversation, billing_team, by=None)
    return conversation
