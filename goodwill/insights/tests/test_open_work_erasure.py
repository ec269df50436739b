"""Erasing a customer: "open now" (OpenWork) loses their deleted conversations, through the
erasure's event on the seam, and follows the kept ones to no organisation."""

from __future__ import annotations

import pytest

from goodwill.conversations.models import Conversation
from goodwill.core.events import subscribed
from goodwill.data.erasure import erase_customer
from goodwill.insights.dashboards import workload
from goodwill.insights.models import OpenWork
from goodwill.insights.tests.conftest import FEEDING, drain, everything
from goodwill.subscribers import SUBSCRIBERS

pytestmark = pytest.mark.django_db


def _open_work() -> set[tuple]:
    return set(OpenWork.objects.values_list("conversation_id", "agent_id", "organisation_id"))


def _open_conversations() -> set[tuple]:
    rows = Conversation.objects.open().values_list("pk", "assignee_id", "customer__organisation_id")
    return {(pk, agent or 0, org or 0) for pk, agent, org in rows}


def _erase(history, capture, *, keep: bool) -> None:  # type: ignore[no-untyped-def]
    buyer = next(c.customer for c in history.conversations if c.customer.organisation_id and c.is_open)
    with subscribed({**FEEDING, "customer.erased": SUBSCRIBERS.get("customer.erased", ())}):
        with capture(execute=True):
            erase_customer(buyer, keep_conversations=keep, actor=history.lead)
        drain(capture)


def test_the_deleted_conversations_leave_open_now(history, django_capture_on_commit_callbacks):
    bob_before = workload.open_now(everything())[history.bob.pk]
    _erase(history, django_capture_on_commit_callbacks, keep=False)
    assert _open_work() == _open_conversations()
    assert workload.open_now(everything()).get(history.bob.pk, 0) == bob_before - 1  # Ada's was Bob's


def test_kept_conversations_stay_open_without_the_organisation(history, django_capture_on_commit_callbacks):
    _erase(history, django_capture_on_commit_callbacks, keep=True)
    assert _open_work() == _open_conversations()
    assert sum(workload.open_now(everything(organisation_id=history.acme.pk)).values()) == 0
    assert len(_open_work()) == 4  # the conversation is still open work
