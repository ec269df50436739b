"""Internal versus external service: each side equals a direct query on `Customer.is_internal`."""

from __future__ import annotations

import pytest

from goodwill.conversations.models import Conversation
from goodwill.insights.dashboards import internal
from goodwill.insights.tests.conftest import everything

pytestmark = pytest.mark.django_db


def test_each_side_counts_its_own_conversations(history):
    result = internal.build(everything())
    figures = {f.label: f.value for f in result.figures}
    assert (
        figures["Internal colleagues: conversations"]
        == Conversation.objects.filter(customer__is_internal=True).count()
        == 1
    )
    assert (
        figures["External customers: conversations"]
        == Conversation.objects.filter(customer__is_internal=False).count()
    )
    colleague = Conversation.objects.get(customer__is_internal=True)
    expected = (colleague.first_response_at - colleague.created_at).total_seconds()
    assert figures["Internal colleagues: mean first response"] == pytest.approx(int(expected))
    chart = result.charts[0]
    assert [sum(s.values) for s in chart.series] == [
        figures["External customers: conversations"],
        figures["Internal colleagues: conversations"],
    ]
