"""Response and resolution times against the SLA: the builder equals direct queries."""

from __future__ import annotations

import pytest

from goodwill.conversations.models import Conversation
from goodwill.expectations.models import SlaTarget
from goodwill.insights.dashboards import service
from goodwill.insights.tests.conftest import everything

pytestmark = pytest.mark.django_db


def figure(result, label):  # type: ignore[no-untyped-def]
    return next(f.value for f in result.figures if f.label == label)


def test_times_and_sla_shares_equal_direct_queries(history):
    result = service.build(everything())
    answered = Conversation.objects.filter(first_response_at__isnull=False)
    waits = [(c.first_response_at - c.created_at).total_seconds() for c in answered]
    assert figure(result, "Mean first response") == pytest.approx(sum(int(w) for w in waits) / len(waits))
    solved = Conversation.objects.filter(solved_at__isnull=False)
    spans = [int((c.solved_at - c.created_at).total_seconds()) for c in solved]
    assert figure(result, "Mean resolution") == pytest.approx(sum(spans) / len(spans))
    fr = SlaTarget.objects.filter(kind="first_response").exclude(outcome="")
    met = fr.filter(outcome="met").count()
    assert fr.count() >= 3
    assert figure(result, "First response within SLA") == pytest.approx(met / fr.count())


def test_the_team_filter_and_table_agree_with_direct_queries(history):
    result = service.build(everything(team_id=history.billing.pk))
    answered = Conversation.objects.filter(team=history.billing, first_response_at__isnull=False)
    waits = [int((c.first_response_at - c.created_at).total_seconds()) for c in answered]
    assert figure(result, "Mean first response") == pytest.approx(sum(waits) / len(waits))
    table = service.build(everything()).tables[0]
    opened = {row[0]: row[1] for row in table.rows}
    assert opened["Accounts"] == Conversation.objects.filter(team=history.billing).count()
    assert opened["Front desk"] == Conversation.objects.filter(team=history.support).count()
