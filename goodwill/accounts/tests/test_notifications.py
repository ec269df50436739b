"""Notices to agents: once per key, mailed once, leads (or admins) for a team."""

from __future__ import annotations

import pytest
from django.core import mail

from goodwill.accounts.models import Notification, TeamMembership
from goodwill.accounts.notifications import (
    leads_of,
    mark_read,
    notify,
    notify_leads,
    send_notification_mail,
    unread_count,
)

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_once_per_agent(agent, teammate):
    first = notify([agent, teammate], key="sla:1", kind="sla", title="Overdue #1")
    again = notify([agent], key="sla:1", kind="sla", title="Overdue #1")
    assert len(first) == 2 and again == []
    assert Notification.objects.filter(key="sla:1").count() == 2
    assert unread_count(agent) == 1


def test_inactive_agents_hear_nothing(agent):
    agent.is_active = False
    agent.save()
    assert notify([agent], key="k", title="t") == []


def test_the_mail_goes_out_once(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (notice,) = notify([agent], key="promise:7", title="Promise due", body="Call Maria", url="/c/7/", email=True)
    assert len(callbacks) == 1
    send_notification_mail(notice.pk)
    send_notification_mail(notice.pk)  # a retried or duplicated task
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [agent.email] and sent.subject == "[Goodwill] Promise due"
    assert "Call Maria" in sent.body and sent.body.rstrip().endswith("/c/7/")


def test_leads_or_admins(support_team, agent, teammate, admin):
    assert list(leads_of(support_team)) == [admin]
    TeamMembership.objects.filter(team=support_team, agent=teammate).update(is_lead=True)
    assert list(leads_of(support_team)) == [teammate]
    notify_leads(support_team, key="abuse:1", title="Repeated abuse")
    assert list(Notification.objects.values_list("agent__email", flat=True)) == [teammate.email]


def test_mark_read(agent):
    notify([agent], key="a", title="A")
    (b,) = notify([agent], key="b", title="B")
    assert mark_read(agent, [b.pk]) == 1
    assert unread_count(agent) == 1
    assert mark_read(agent) == 1 and unread_count(agent) == 0
