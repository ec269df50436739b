"""Abuse: the policy beside the message, a calm reply, masking for agents who ask, the lead told
once about repeated abuse, and admins writing the policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.accounts.models import Notification, TeamMembership
from goodwill.conversations.services import receive_message
from goodwill.conversations.tests.factories import make_conversation
from goodwill.listening.models import TeamListening
from goodwill.listening.policy import DEFAULT_POLICY, save_team_settings, set_mask_abuse
from goodwill.listening.services import score_message
from goodwill.listening.turns import notify_repeated_abuse

pytestmark = pytest.mark.django_db

ABUSIVE = "You people are a bunch of incompetent clowns."


def abusive_conversation(customer, team):  # type: ignore[no-untyped-def]
    conversation = make_conversation(customer=customer, team=team, text="Where is my order?")
    message = receive_message(conversation, customer=customer, text=ABUSIVE)
    score_message(message)
    return conversation, message


def test_the_policy_and_a_calm_reply_sit_beside_an_abusive_message(client, agent, customer, support_team):
    save_team_settings(
        support_team,
        abuse_policy="**Be kind, be firm.** <script>x</script>",
        disabled_checks=[],
        jargon="",
        repeat_abuse_count=2,
        repeat_abuse_days=30,
    )
    conversation, _ = abusive_conversation(customer, support_team)
    client.force_login(agent)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert "<strong>Be kind, be firm.</strong>" in page and "<script>x" not in page
    assert 'data-draft-insert="start"' in page and "I can&#x27;t continue while" in page
    assert "Mask abusive text for me" in page


def test_abusive_text_is_masked_only_for_agents_who_ask(client, agent, teammate, customer, support_team):
    conversation, message = abusive_conversation(customer, support_team)
    set_mask_abuse(agent, True)
    client.force_login(agent)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert '<details class="msg-masked"><summary>Abusive text hidden. Show the message</summary>' in page
    client.force_login(teammate)
    assert "msg-masked" not in client.get(f"/c/{conversation.number}/").content.decode()


def test_the_mask_switch_is_the_agents_own(client, agent, customer, support_team):
    conversation, _ = abusive_conversation(customer, support_team)
    client.force_login(agent)
    answer = client.post("/listening/mask/", {"mask": "1", "next": f"/c/{conversation.number}/"})
    assert answer.status_code == 302 and answer["Location"] == f"/c/{conversation.number}/"
    assert agent.listening.mask_abuse is True
    client.post("/listening/mask/", {"mask": "0"})
    agent.listening.refresh_from_db()
    assert agent.listening.mask_abuse is False


def test_repeated_abuse_notifies_the_lead_once(agent, teammate, customer, support_team):
    TeamMembership.objects.filter(agent=teammate).update(is_lead=True)
    conversation, first = abusive_conversation(customer, support_team)
    assert not Notification.objects.exists()  # one abusive message is not a pattern
    second = receive_message(conversation, customer=customer, text="Drop dead, you useless idiots.")
    score_message(second)
    notices = list(Notification.objects.all())
    assert [n.agent for n in notices] == [teammate]
    assert "Repeated abuse" in notices[0].title
    score_message(second)  # a retried task or a rescore
    assert not notify_repeated_abuse(second, second.listening_score)
    assert Notification.objects.count() == 1


def test_abuse_outside_the_window_does_not_count(agent, teammate, customer, support_team):
    TeamMembership.objects.filter(agent=teammate).update(is_lead=True)
    conversation, first = abusive_conversation(customer, support_team)
    type(first).objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=40))
    second = receive_message(conversation, customer=customer, text="Drop dead, you useless idiots.")
    score_message(second)
    assert not Notification.objects.exists()


def test_admins_write_the_policy_and_switch_checks(client, admin, agent, support_team):
    client.force_login(agent)
    assert client.get("/listening/settings/").status_code == 403
    client.force_login(admin)
    page = client.get(f"/listening/settings/{support_team.slug}/").content.decode()
    assert "Abuse policy" in page and "We help every customer" in page
    answer = client.post(
        f"/listening/settings/{support_team.slug}/",
        {
            "abuse_policy": "# Our rules\n\nNo insults.",
            "enabled_checks": ["blame", "shouting"],
            "jargon": "RMA = return number\nSLA",
            "repeat_abuse_count": "3",
            "repeat_abuse_days": "14",
        },
    )
    assert answer.status_code == 302
    row = TeamListening.objects.get(team=support_team)
    assert row.abuse_policy.startswith("# Our rules") and row.repeat_abuse_count == 3
    assert "blame" not in row.disabled_checks and "greeting_missing" in row.disabled_checks
    bad = client.post(
        f"/listening/settings/{support_team.slug}/",
        {"abuse_policy": "changed", "repeat_abuse_count": "0", "repeat_abuse_days": "14"},
    )
    assert bad.status_code == 200 and "changed" in bad.content.decode()
    row.refresh_from_db()
    assert row.abuse_policy.startswith("# Our rules")
    assert DEFAULT_POLICY.startswith("**We help")
