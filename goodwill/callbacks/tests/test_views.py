"""The call-backs panel, its forms, the "Call-backs due" view and the row badge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.callbacks import services
from goodwill.callbacks.models import CallBack

pytestmark = pytest.mark.django_db


def local_input(agent, delta):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return (timezone.now() + delta).astimezone(ZoneInfo(agent.time_zone)).strftime("%Y-%m-%dT%H:%M")


def test_the_panel_offers_scheduling_with_the_customers_number(client, agent, conversation):
    from goodwill.customers.models import Identity

    Identity.objects.create(customer=conversation.customer, kind="phone", value="+442079460000")
    client.force_login(agent)
    page = client.get(f"/c/{conversation.number}/").content.decode()
    assert "Schedule a call-back" in page and 'value="+442079460000"' in page


def test_scheduling_from_the_page_in_the_agents_time_zone(client, agent, conversation):
    agent.time_zone = "America/New_York"
    agent.save()
    client.force_login(agent)
    typed = local_input(agent, timedelta(hours=3))
    answer = client.post(
        f"/c/{conversation.number}/callbacks/",
        {"due_at": typed, "owner": agent.pk, "phone": "+1 212 555 0100", "note": "after lunch"},
    )
    assert answer.status_code == 302
    callback = CallBack.objects.get()
    assert abs((callback.due_at - (timezone.now() + timedelta(hours=3))).total_seconds()) < 120


def test_a_bad_schedule_keeps_what_was_typed(client, agent, conversation):
    client.force_login(agent)
    answer = client.post(
        f"/c/{conversation.number}/callbacks/",
        {"due_at": local_input(agent, -timedelta(hours=1)), "owner": agent.pk, "phone": "+1 212 555 0100",
         "note": "keep me"},
    )
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "Choose a time in the future." in html and 'value="keep me"' in html
    assert CallBack.objects.count() == 0


def test_logging_and_cancelling_from_the_page(client, agent, conversation):
    first = services.schedule_callback(conversation, by=agent, due_at=timezone.now() + timedelta(hours=1), phone="12345")
    second = services.schedule_callback(conversation, by=agent, due_at=timezone.now() + timedelta(hours=2), phone="12345")
    client.force_login(agent)
    assert client.post(f"/callbacks/{first.pk}/log/", {"text": "Sorted it"}).status_code == 302
    assert client.post(f"/callbacks/{second.pk}/cancel/", {"reason": ""}).status_code == 302
    states = dict(CallBack.objects.values_list("pk", "state"))
    assert states == {first.pk: "done", second.pk: "cancelled"}


def test_others_cannot_touch_a_restricted_conversations_call_backs(client, agent, outsider, conversation):
    secret = Team.objects.create(name="Secret", slug="secret", is_restricted=True)
    conversation.team = secret
    conversation.save()
    from goodwill.accounts.services import add_to_team

    add_to_team(agent, secret)
    callback = services.schedule_callback(conversation, by=agent, due_at=timezone.now() + timedelta(hours=1), phone="12345")
    client.force_login(outsider)
    assert client.post(f"/callbacks/{callback.pk}/log/", {"text": "x"}).status_code == 404
    assert client.post(f"/c/{conversation.number}/callbacks/", {}).status_code == 404
    assert CallBack.objects.get().state == "open"


def test_the_due_view_and_the_row_badge(client, agent, conversation, customer):
    from goodwill.conversations.services import open_conversation

    other = open_conversation(customer=customer, subject="Unrelated", text="hi", channel="email")[0]
    services.schedule_callback(conversation, by=agent, due_at=timezone.now() + timedelta(minutes=30), phone="12345")
    services.schedule_callback(other, by=agent, due_at=timezone.now() + timedelta(days=3), phone="12345")
    client.force_login(agent)
    page = client.get("/?view=callbacks").content.decode()
    assert "Router keeps dropping" in page and "Unrelated" not in page
    assert "call back" in page
