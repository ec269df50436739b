"""The recovery panel, opening a case by hand, ticking steps, closing, the queue and its summary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from goodwill.accounts.models import TeamMembership
from goodwill.recovery import services
from goodwill.recovery.models import RecoveryCase

pytestmark = pytest.mark.django_db


def open_by_hand(conversation, agent, reason="Sent the wrong part twice"):  # type: ignore[no-untyped-def]
    return services.open_case_by_hand(
        conversation.customer, by=agent, reason=reason, conversation=conversation
    )[0]


def test_the_panel_opens_a_case_once_even_when_submitted_twice(client, agent, conversation):
    client.force_login(agent)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert "Open a recovery case" in page
    form = {"reason": "Technician never came", "token": "abc123"}
    first = client.post(f"/c/{conversation.number}/recovery/", form)
    second = client.post(f"/c/{conversation.number}/recovery/", form)
    case = RecoveryCase.objects.get()
    assert first["Location"] == second["Location"] == f"/recovery/{case.pk}/"
    assert (case.trigger, case.owner, case.opened_by) == ("manual", agent, agent)
    assert [s.kind for s in case.steps.all()] == ["acknowledge", "fix", "gesture", "follow_up"]
    assert "Technician never came" in client.get(f"/c/{conversation.number}/").content.decode()


def test_opening_from_the_customer_page(client, agent, customer):
    client.force_login(agent)
    assert "Open a recovery case" in client.get(f"/customers/{customer.pk}/").content.decode()
    answer = client.post(
        f"/recovery/customers/{customer.pk}/open/", {"reason": "Invoice wrong again", "token": "t1"}
    )
    case = RecoveryCase.objects.get()
    assert answer.status_code == 302 and case.conversation is None and case.customer == customer


def test_ticking_steps_records_the_gesture_cost_and_moves_the_due_date(client, agent, conversation):
    case = open_by_hand(conversation, agent)
    acknowledge, fix, gesture, _follow = case.steps.all()
    client.force_login(agent)
    client.post(f"/recovery/steps/{acknowledge.pk}/tick/", {"note": "Called and apologised"})
    client.post(f"/recovery/steps/{gesture.pk}/tick/", {"cost": "25.00"})
    case.refresh_from_db()
    assert case.due_at == fix.due_at
    gesture.refresh_from_db()
    assert gesture.cost == Decimal("25.00") and gesture.done_by == agent
    page = client.get(f"/recovery/{case.pk}/").content.decode()
    assert "Called and apologised" in page and "25.00" in page


def test_closing_with_a_result_writes_one_event(client, agent, conversation):
    from goodwill.core.models import Event

    case = open_by_hand(conversation, agent)
    client.force_login(agent)
    client.post(f"/recovery/{case.pk}/close/", {"result": "recovered", "note": "Ordered again"})
    client.post(f"/recovery/{case.pk}/close/", {"result": "not_recovered"})
    case.refresh_from_db()
    assert (case.status, case.result, case.result_note) == ("closed", "recovered", "Ordered again")
    assert Event.objects.filter(kind="recovery.closed").count() == 1


def test_the_queue_lists_open_cases_overdue_first_and_leads_see_the_rate(
    client, agent, conversation, support_team
):
    from datetime import timedelta

    later = open_by_hand(conversation, agent, "Later one")
    overdue = open_by_hand(conversation, agent, "Overdue one")
    RecoveryCase.objects.filter(pk=overdue.pk).update(due_at=overdue.opened_at - timedelta(days=1))
    done = open_by_hand(conversation, agent, "Done one")
    services.close_case(done, result="recovered", by=agent)
    client.force_login(agent)
    page = client.get("/recovery/").content.decode()
    assert page.index("Overdue one") < page.index("Later one")
    assert "Recovery rate" not in page  # not a lead
    TeamMembership.objects.filter(agent=agent, team=support_team).update(is_lead=True)
    page = client.get("/recovery/?scope=team").content.decode()
    assert "Recovery rate" in page and "100%" in page
    assert later.pk


def test_the_recovery_inbox_view_shows_conversations_with_an_open_case(client, agent, conversation, customer):
    from goodwill.conversations.tests.factories import make_conversation

    make_conversation(customer=customer, subject="Unrelated question")
    open_by_hand(conversation, agent)
    client.force_login(agent)
    page = client.get("/?view=recovery").content.decode()
    assert "Router keeps dropping" in page and "Unrelated question" not in page


def test_cases_of_restricted_teams_stay_hidden(client, agent, outsider, conversation):
    from goodwill.accounts.models import Team
    from goodwill.accounts.services import add_to_team

    secret = Team.objects.create(name="Secret", slug="secret", is_restricted=True)
    add_to_team(agent, secret)
    conversation.team = secret
    conversation.save()
    case = open_by_hand(conversation, agent, "Private trouble")
    client.force_login(outsider)
    assert client.get(f"/recovery/{case.pk}/").status_code == 404
    assert "Private trouble" not in client.get("/recovery/?scope=all").content.decode()
    step = case.steps.first()
    assert client.post(f"/recovery/steps/{step.pk}/tick/", {}).status_code == 404
    assert client.post(f"/recovery/{case.pk}/close/", {"result": "recovered"}).status_code == 404


def test_a_lead_edits_the_teams_triggers_and_playbook(client, agent, support_team, conversation):
    from goodwill.recovery.models import TriggerSettings

    client.force_login(agent)
    assert client.get(f"/recovery/settings/?team={support_team.pk}").status_code == 404  # not a lead
    TeamMembership.objects.filter(agent=agent, team=support_team).update(is_lead=True)
    assert client.get(f"/recovery/settings/?team={support_team.pk}").status_code == 200
    form = {
        "on_sla_breach": "on",
        "bad_outcomes": "partly",
        "conduct_at_most": "3",
        "mood_turn_to": "-0.6",
        "no_response_days": "10",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-kind": "acknowledge",
        "steps-0-title": "Ring them today",
        "steps-0-due_days": "0",
        "steps-1-kind": "follow_up",
        "steps-1-title": "Check back",
        "steps-1-due_days": "5",
    }
    answer = client.post(f"/recovery/settings/?team={support_team.pk}", form)
    assert answer.status_code == 302
    rules = TriggerSettings.objects.get(team=support_team)
    assert (rules.on_sla_breach, rules.on_complaint, rules.conduct_at_most) == (True, False, 3)
    case = open_by_hand(conversation, agent)
    assert [s.title for s in case.steps.all()] == ["Ring them today", "Check back"]
    assert case.follow_up_at == case.opened_at + __import__("datetime").timedelta(days=5)


def test_a_teammate_takes_over_a_case(client, agent, teammate, conversation):
    case = open_by_hand(conversation, agent)
    client.force_login(teammate)
    assert "Take it" in client.get(f"/recovery/{case.pk}/").content.decode()
    client.post(f"/recovery/{case.pk}/take/")
    case.refresh_from_db()
    assert case.owner == teammate


def test_the_queue_and_case_pages_take_a_fixed_number_of_queries(
    client, agent, conversation, support_team, django_assert_max_num_queries
):
    TeamMembership.objects.filter(agent=agent, team=support_team).update(is_lead=True)
    for index in range(12):
        case = open_by_hand(conversation, agent, f"Case {index}")
        if index % 3 == 0:
            services.close_case(case, result="recovered", by=agent)
    client.force_login(agent)
    client.get("/recovery/?scope=all")  # warm the session and the agent's caches
    with django_assert_max_num_queries(14):
        page = client.get("/recovery/?scope=all")
    assert page.status_code == 200 and "Case 11" in page.content.decode()
    with django_assert_max_num_queries(14):
        assert client.get(f"/recovery/{case.pk}/").status_code == 200
