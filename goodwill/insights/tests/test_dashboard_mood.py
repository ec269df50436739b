"""Mood of inbound mail: the builder equals a direct average of listening's scores."""

from __future__ import annotations

import pytest

from goodwill.insights.dashboards import mood
from goodwill.insights.tests.conftest import everything
from goodwill.listening.models import MessageScore

pytestmark = pytest.mark.django_db


def figure(result, label):  # type: ignore[no-untyped-def]
    return next(f.value for f in result.figures if f.label == label)


def test_average_and_negative_share_equal_the_scores(history):
    scores = MessageScore.objects.filter(message__direction="in", scored=True, sentiment__isnull=False)
    values = [s.sentiment for s in scores]
    result = mood.build(everything())
    assert len(values) >= 3
    assert figure(result, "Average mood") == pytest.approx(sum(values) / len(values))
    assert figure(result, "Negative messages") == pytest.approx(
        scores.filter(polarity="neg").count() / len(values)
    )
    by_day = next(c for c in result.charts if c.slug == "mood")
    assert sum(v is not None for v in by_day.series[0].values) == len(
        {s.message.created_at.date() for s in scores}
    )


def test_the_organisation_filter_keeps_its_customers_messages_only(history):
    scores = MessageScore.objects.filter(
        message__direction="in", scored=True, message__conversation__customer__organisation=history.acme
    )
    result = mood.build(everything(organisation_id=history.acme.pk))
    values = [s.sentiment for s in scores]
    assert figure(result, "Average mood") == pytest.approx(sum(values) / len(values))
