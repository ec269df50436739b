"""The extra-mile report equals a direct count: each action with its feedback and return, and
finished conversations with an action against those without, filtered by date, team and agent;
its stored daily figures follow reopening, new actions and returns once the job rebuilds them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.conversations.models import Conversation
from goodwill.conversations.services import open_conversation
from goodwill.core.models import Event
from goodwill.customers.services import create_customer
from goodwill.voice.extra_mile import Filters, actions, comparison
from goodwill.voice.extra_mile_days import conversation_changed, rebuild_stale_days
from goodwill.voice.models import ExtraMile, ExtraMileDay, ReturnEvent, Survey
from goodwill.voice.returns import customer_came_back

pytestmark = pytest.mark.django_db


def finished(customer, *, days_ago, team=None, assignee=None):  # type: ignore[no-untyped-def]
    conversation = open_conversation(customer=customer, subject="q", text="t", channel="email", team=team)[0]
    ended = timezone.now() - timedelta(days=days_ago)
    Conversation.objects.filter(pk=conversation.pk).update(
        status="solved",
        solved_at=ended,
        created_at=ended - timedelta(days=1),
        last_message_at=ended,
        assignee=assignee,
    )
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def history(support_team, billing_team, agent, teammate):  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    for n in range(24):
        person = create_customer(name=f"P{n}", emails=[f"p{n}@customer.test"])
        days = rng.choice([5, 40, 100, 150])
        team = support_team if n % 3 else billing_team
        serving = agent if n % 2 else teammate
        conversation = finished(person, days_ago=days, team=team, assignee=serving)
        if n % 4 == 0:
            ExtraMile.objects.create(
                conversation=conversation,
                agent=serving,
                what=f"Card {n}",
                cost="3.50",
                created_at=conversation.solved_at - timedelta(hours=1),
            )
        if n % 3 != 2:
            Survey.objects.create(
                conversation=conversation,
                customer=person,
                send_after=conversation.solved_at,
                outcome=rng.choice(["yes", "no", "partly"]),
                conduct=rng.randint(1, 5),
                answered_at=conversation.solved_at + timedelta(days=1),
            )
        back = rng.choice([None, 10, 60, 120])
        if back is not None and back < days:
            if n % 5 == 0:
                ReturnEvent.objects.create(customer=person, at=conversation.solved_at + timedelta(days=back))
            else:
                finished(person, days_ago=days - back, team=team)
    rebuild_stale_days(limit=None)  # the job's first run: every day


def expected(filters: Filters, now):  # type: ignore[no-untyped-def]
    groups = {True: [], False: []}
    for conversation in Conversation.objects.filter(status="solved"):
        if not filters.since <= conversation.solved_at < filters.until:
            continue
        if filters.team_id and conversation.team_id != filters.team_id:
            continue
        if filters.agent_id and conversation.assignee_id != filters.agent_id:
            continue
        groups[ExtraMile.objects.filter(conversation=conversation).exists()].append(conversation)
    out = []
    for went in (True, False):
        rows = groups[went]
        surveys = [s for s in Survey.objects.filter(conversation__in=rows) if s.answered_at]
        rates = []
        for days in (30, 90):
            eligible = [c for c in rows if c.solved_at <= now - timedelta(days=days)]
            returned = [
                c
                for c in eligible
                if Conversation.objects.filter(
                    customer=c.customer,
                    created_at__gt=c.solved_at,
                    created_at__lte=c.solved_at + timedelta(days=days),
                ).exists()
                or ReturnEvent.objects.filter(
                    customer=c.customer, at__gt=c.solved_at, at__lte=c.solved_at + timedelta(days=days)
                ).exists()
            ]
            rates.append((len(eligible), len(returned)))
        conduct = [s.conduct for s in surveys]
        out.append(
            (
                len(rows),
                len(surveys),
                sum(s.outcome == "yes" for s in surveys),
                round(sum(conduct) / len(conduct), 6) if conduct else None,
                rates,
            )
        )
    return out


def measured(filters: Filters, now):  # type: ignore[no-untyped-def]
    return [
        (
            g.conversations,
            g.answers,
            g.need_met,
            round(g.conduct, 6) if g.conduct is not None else None,
            [(r.eligible, r.returned) for r in g.rates],
        )
        for g in comparison(filters, now=now)
    ]


def test_the_comparison_equals_a_direct_count(history, support_team, agent):
    now = timezone.now()
    everything = Filters(since=now - timedelta(days=365), until=now)
    assert measured(everything, now) == expected(everything, now)
    assert measured(everything, now)[0][0] == 6  # the six conversations with an action
    for filters in (
        Filters(since=now - timedelta(days=120), until=now - timedelta(days=20)),
        Filters(since=now - timedelta(days=365), until=now, team_id=support_team.pk),
        Filters(since=now - timedelta(days=365), until=now, agent_id=agent.pk),
    ):
        assert measured(filters, now) == expected(filters, now)


def test_each_action_shows_the_feedback_and_the_return_that_followed(history, teammate):
    now = timezone.now()
    listed = actions(Filters(since=now - timedelta(days=365), until=now), now=now)
    assert len(listed) == 6
    for item in listed:
        conversation = item.mile.conversation
        survey = Survey.objects.filter(conversation=conversation).first()
        assert item.outcome == (survey.outcome if survey else "")
        for days, back in item.came_back.items():
            if conversation.solved_at > now - timedelta(days=days):
                assert back is None
                continue
            until = conversation.solved_at + timedelta(days=days)
            direct = (
                Conversation.objects.filter(
                    customer=conversation.customer,
                    created_at__gt=conversation.solved_at,
                    created_at__lte=until,
                ).exists()
                or ReturnEvent.objects.filter(
                    customer=conversation.customer, at__gt=conversation.solved_at, at__lte=until
                ).exists()
            )
            assert back is direct
    mine = actions(Filters(since=now - timedelta(days=365), until=now, agent_id=teammate.pk), now=now)
    assert {item.mile.agent for item in mine} == {teammate}


def test_the_page_shows_both(client, agent, history):
    client.force_login(agent)
    page = client.get("/voice/extra-mile/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "With an extra-mile action" in body and "Card 4" in body
    assert "Card 0" not in body  # on a Billing conversation: a restricted team the agent is not in


def test_the_stored_days_follow_changes_once_the_job_runs(
    history, agent, support_team, django_capture_on_commit_callbacks
):
    """Reopened (leaves its day), a new action, a customer coming back: marked stale, rebuilt, equal again."""
    from goodwill.conversations.services import change_status
    from goodwill.voice.improvements import log_extra_mile

    now = timezone.now()
    everything = Filters(since=now - timedelta(days=365), until=now)
    assert rebuild_stale_days() == 0  # nothing changed since the first run
    reopened = Conversation.objects.filter(status="solved", extra_miles__isnull=True).order_by("pk").first()
    change_status(reopened, "open", by=agent)
    conversation_changed(Event.objects.filter(conversation=reopened, kind="conversation.status").latest("pk"))
    plain = Conversation.objects.filter(status="solved", extra_miles__isnull=True).order_by("-pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        log_extra_mile(plain, by=agent, what="Sent flowers", cost="20")
    back = Conversation.objects.filter(status="solved", solved_at__lte=now - timedelta(days=100)).first()
    again = open_conversation(customer=back.customer, subject="again", text="t", channel="email")[0]
    Conversation.objects.filter(pk=again.pk).update(created_at=back.solved_at + timedelta(days=20))
    opened = Event.objects.filter(conversation=again, kind="conversation.opened")
    opened.update(created_at=back.solved_at + timedelta(days=20))  # as if it came then
    customer_came_back(opened.get())
    assert measured(everything, now) != expected(everything, now)  # stale until the job runs
    assert rebuild_stale_days() >= 1  # the three changes' days (some may coincide)
    assert measured(everything, now) == expected(everything, now)
    assert measured(everything, now)[0][0] == 7
    assert measured(Filters(since=everything.since, until=now, team_id=support_team.pk), now) == expected(
        Filters(since=everything.since, until=now, team_id=support_team.pk), now
    )


def test_the_page_reads_the_stored_figures(client, agent, history, django_assert_max_num_queries):
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        page = client.get("/voice/extra-mile/")
    assert page.status_code == 200


def test_a_change_during_a_rebuild_keeps_its_mark(history):
    """Marks made after the rebuild read its days stay for the next run; older ones are cleared."""
    from goodwill.voice import extra_mile_days
    from goodwill.voice.models import ExtraMileStale

    day = ExtraMileDay.objects.order_by("day").values_list("day", flat=True).first()
    ExtraMileStale.objects.create(day=day, marked_at=timezone.now() + timedelta(minutes=5))  # "during"
    assert extra_mile_days.rebuild_stale_days() == 1
    assert ExtraMileStale.objects.filter(day=day).exists()
    ExtraMileStale.objects.filter(day=day).update(marked_at=timezone.now() - timedelta(seconds=1))
    assert extra_mile_days.rebuild_stale_days() == 1
    assert not ExtraMileStale.objects.exists()


def test_the_repair_job_catches_rows_written_without_an_event(history):
    """A return imported straight into the table: `voice.returns` recomputes and rebuilds its days."""
    from goodwill.voice.returns import refresh_returns

    refresh_returns()  # the job has read everything so far
    now = timezone.now()
    everything = Filters(since=now - timedelta(days=365), until=now)
    gone = Conversation.objects.filter(status="solved", solved_at__lte=now - timedelta(days=100))
    for conversation in gone:
        ReturnEvent.objects.create(
            customer=conversation.customer, at=conversation.solved_at + timedelta(days=3)
        )
    assert measured(everything, now) != expected(everything, now)
    assert "extra-mile days rebuilt" in refresh_returns()
    assert measured(everything, now) == expected(everything, now)
