"""Volume and spikes: the builder's figures equal direct counts of the conversations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count

from goodwill.conversations.models import Conversation, Message
from goodwill.insights.dashboards import volume
from goodwill.insights.registry import Filters
from goodwill.insights.tests.conftest import DAY0, everything

pytestmark = pytest.mark.django_db


def figure(result, label):  # type: ignore[no-untyped-def]
    return next(f.value for f in result.figures if f.label == label)


def test_totals_and_channels_equal_direct_counts(history):
    result = volume.build(everything())
    assert figure(result, "Conversations opened") == Conversation.objects.count()
    assert (
        figure(result, "Conversations solved") == Conversation.objects.filter(solved_at__isnull=False).count()
    )
    assert figure(result, "Customer messages") == Message.objects.filter(direction="in").count()
    chart = next(c for c in volume.build(everything()).charts if c.slug == "opened-by-channel")
    per_channel = dict(Conversation.objects.values_list("channel").annotate(n=Count("pk")))
    assert {s.name: sum(s.values) for s in chart.series} == {
        dict(Conversation.Channel.choices)[ch]: n for ch, n in per_channel.items()
    }


def test_filters_narrow_the_counts_like_a_direct_query(history):
    f = Filters(start=DAY0, end=DAY0 + timedelta(days=1), team_id=history.support.pk, channel="email")
    expected = Conversation.objects.filter(
        team=history.support, channel="email", created_at__date__gte=f.start, created_at__date__lte=f.end
    ).count()
    assert figure(volume.build(f), "Conversations opened") == expected == 1
    by_org = everything(organisation_id=history.acme.pk)
    assert (
        figure(volume.build(by_org), "Conversations opened")
        == Conversation.objects.filter(customer__organisation=history.acme).count()
        == 2
    )


def test_a_need_that_suddenly_grows_is_flagged_in_words(history):
    # Refunds: 3 in the week to day 32, none in the four weeks before (days 0 and 1 are older).
    f = Filters(start=DAY0 + timedelta(days=26), end=DAY0 + timedelta(days=32))
    table, notes = volume.spike_table(f)
    recent = Conversation.objects.filter(
        need=history.refunds, created_at__date__gte=f.end - timedelta(days=6), created_at__date__lte=f.end
    ).count()
    row = next(r for r in table.rows if r[0] == "Refunds")
    assert row[1] == recent == 3
    assert row[3] == "" if recent < volume.SPIKE_MINIMUM else row[3] == "spike"
    assert any("Refunds" in note for note in notes) == (row[3] == "spike")


def test_a_spike_needs_enough_conversations(history, django_capture_on_commit_callbacks):
    from goodwill.conversations.services import set_need
    from goodwill.conversations.tests.factories import make_conversation
    from goodwill.insights.tests.conftest import at, drain

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            set_need(make_conversation(at=at(31, 10)), history.delivery, by=None)
    drain(django_capture_on_commit_callbacks)
    f = Filters(start=DAY0 + timedelta(days=26), end=DAY0 + timedelta(days=32))
    table, notes = volume.spike_table(f)
    row = next(r for r in table.rows if r[0] == "Delivery")
    assert row[1:] == [6, 0.2, "spike"]  # the usual week: one delivery question in four weeks
    assert any(note.startswith("Spike: Delivery") for note in notes)
