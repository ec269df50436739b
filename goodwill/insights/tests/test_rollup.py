"""The daily figures equal a direct count of the source rows, and stay right when events repeat."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services import set_need
from goodwill.conversations.tests.factories import make_conversation
from goodwill.core.events import run_subscriber, subscribed
from goodwill.core.models import Event
from goodwill.expectations.models import SlaTarget
from goodwill.insights import rollup
from goodwill.insights.models import MEASURES, DailyAgentFigures, DailyFigures, DailyOrganisationFigures
from goodwill.insights.subscribers import refresh_figures
from goodwill.insights.tests.conftest import INSIGHTS, SCORE, at, drain
from goodwill.listening.models import MessageScore

pytestmark = pytest.mark.django_db


def table(model) -> dict[tuple, dict[str, float]]:  # type: ignore[no-untyped-def]
    """Non-zero measures per key of one table, mood sums rounded (float addition order differs)."""
    result = {}
    for row in model.objects.all():
        key = (
            row.day.isoformat(),
            row.team_id,
            row.channel,
            row.need_id,
            row.agent_id,
            row.organisation_id,
            row.internal,
        )
        values = {m: round(getattr(row, m), 6) for m in MEASURES if getattr(row, m)}
        if values:
            result[key] = values
    return result


def snapshot() -> dict[str, dict[tuple, dict[str, float]]]:
    return {
        model.__name__: table(model) for model in (DailyFigures, DailyAgentFigures, DailyOrganisationFigures)
    }


def fold(found: dict[tuple, dict[str, float]]) -> dict[str, dict[tuple, dict[str, float]]]:
    """Full keys as each table keeps them."""
    tables: dict[str, dict[tuple, dict[str, float]]] = {}
    for (day, team, channel, need, agent, org, internal), values in found.items():
        places = [("DailyFigures", (day, team, channel, need, 0, 0, internal)),
                  ("DailyAgentFigures", (day, team, channel, need, agent, 0, internal))]  # fmt: skip
        if org:
            places.append(("DailyOrganisationFigures", (day, team, channel, need, agent, org, internal)))
        for name, key in places:
            row = tables.setdefault(name, {}).setdefault(key, {})
            for measure, value in values.items():
                row[measure] = round(row.get(measure, 0) + value, 6)
    return tables


def direct() -> dict[tuple, dict[str, float]]:
    """The same figures counted by walking the source rows one by one."""
    found: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for c in Conversation.objects.select_related("customer"):
        keys = (c.team_id or 0, c.channel, c.need_id or 0)
        tail = (c.customer.organisation_id or 0, c.customer.is_internal)
        opened = (c.created_at.date().isoformat(), *keys, c.assignee_id or 0, *tail)
        found[opened]["opened"] += 1
        if c.first_response_at:
            found[opened]["first_responses"] += 1
            found[opened]["first_response_seconds"] += int(
                (c.first_response_at - c.created_at).total_seconds()
            )
        if c.solved_at:
            solved = (c.solved_at.date().isoformat(), *keys, c.assignee_id or 0, *tail)
            found[solved]["solved"] += 1
            found[solved]["resolutions"] += 1
            found[solved]["resolution_seconds"] += int((c.solved_at - c.created_at).total_seconds())
        for target in (
            SlaTarget.objects.filter(conversation=c).exclude(outcome="").exclude(kind="next_response")
        ):
            found[opened][f"{target.kind}_{target.outcome}"] += 1
        for m in Message.objects.filter(conversation=c):
            day = m.created_at.date().isoformat()
            if m.direction == "in":
                key = (day, *keys, c.assignee_id or 0, *tail)
                found[key]["inbound"] += 1
                score = MessageScore.objects.filter(message=m, scored=True).first()
                if score and score.sentiment is not None:
                    found[key]["mood_sum"] += score.sentiment
                    found[key]["mood_scored"] += 1
                    found[key]["mood_negative"] += score.polarity == "neg"
            elif m.direction == "out" and m.kind == "reply":
                found[(day, *keys, m.author_agent_id or 0, *tail)]["replies"] += 1
    return fold({k: {m: v for m, v in vals.items() if v} for k, vals in found.items()})


def test_daily_figures_equal_a_direct_count_of_the_source(history):
    assert snapshot() == direct()
    figures = table(DailyFigures)
    assert sum(v.get("opened", 0) for v in figures.values()) == len(history.conversations)
    assert {key[4] for key in figures} == {0} and {key[5] for key in figures} == {0}
    by_org = table(DailyOrganisationFigures)
    assert sum(v.get("opened", 0) for v in by_org.values()) == 2  # Acme's two conversations
    assert sum(v.get("mood_scored", 0) for v in figures.values()) >= 3  # the crafted moods were read
    assert (
        sum(v.get("first_response_met", 0) + v.get("first_response_breached", 0) for v in figures.values())
        >= 3
    )


def test_handling_every_event_again_changes_nothing(history):
    before = snapshot()
    events = list(Event.objects.filter(conversation__isnull=False))
    for event in events:  # as if every receipt had been lost
        refresh_figures(event)
    assert snapshot() == before
    run_subscriber.call(INSIGHTS, [e.pk for e in events])  # receipts held: nothing is applied twice
    assert snapshot() == before


def test_a_changed_need_moves_the_conversation_to_its_new_need(history, django_capture_on_commit_callbacks):
    moved = history.conversations[1]  # a delivery question
    with django_capture_on_commit_callbacks(execute=True):
        set_need(moved, history.refunds, by=None)
    drain(django_capture_on_commit_callbacks)
    rows = DailyFigures.objects.filter(day=moved.created_at.date(), channel=moved.channel)
    assert sum(rows.filter(need_id=history.delivery.pk).values_list("opened", flat=True)) == 0
    assert sum(rows.filter(need_id=history.refunds.pk).values_list("opened", flat=True)) == 1
    assert snapshot() == direct()


def test_rebuild_gives_the_same_figures_and_can_run_twice(history):
    before = snapshot()
    DailyFigures.objects.update(opened=99)  # whatever drifted is replaced
    DailyOrganisationFigures.objects.all().delete()
    rollup.rebuild(chunk=2)
    assert snapshot() == before
    rollup.rebuild()
    assert snapshot() == before


def test_the_sweep_catches_a_mood_scored_after_insights_ran(db, django_capture_on_commit_callbacks):
    assert rollup.sweep(timezone.now()) == "started following the event log"
    insights_first = {"conversation.opened": (INSIGHTS, SCORE)}
    with subscribed(insights_first):
        with django_capture_on_commit_callbacks(execute=True):
            conversation = make_conversation(text="This is terrible, I am furious.", at=at(0))
        drain(django_capture_on_commit_callbacks)
    assert MessageScore.objects.filter(message__conversation=conversation).exists()
    assert not DailyFigures.objects.filter(mood_scored__gt=0).exists()  # insights ran before listening
    summary = rollup.sweep(timezone.now())
    assert DailyFigures.objects.filter(mood_scored__gt=0).count() == 1
    assert summary and summary.startswith("1 conversations")
    assert rollup.sweep(timezone.now()) == "1 conversations checked, 0 daily rows changed"  # the second look
    assert rollup.sweep(timezone.now()) == "0 conversations checked, 0 daily rows changed"


def test_a_deleted_conversation_leaves_the_figures(history):
    gone = history.conversations[3]
    Message.objects.filter(conversation=gone).delete()
    Event.objects.filter(conversation=gone).delete()
    SlaTarget.objects.filter(conversation=gone).delete()
    Conversation.objects.filter(pk=gone.pk).delete()
    rollup.refresh([gone.pk])
    assert snapshot() == direct()
