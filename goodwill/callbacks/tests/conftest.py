from __future__ import annotations

import pytest

from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed


@pytest.fixture(autouse=True)
def _quiet_seam():  # type: ignore[no-untyped-def]
    with subscribed({}):
        yield


@pytest.fixture
def conversation(customer, support_team):  # type: ignore[no-untyped-def]
    return open_conversation(
        customer=customer, subject="Router keeps dropping", text="Please call me", channel="email", team=support_team
    )[0]
