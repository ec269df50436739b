"""Call-backs: scheduled with checks, kept by logging the call (once), reminded once, confirmed once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from goodwill.accounts.models import Notification
from goodwill.callbacks import services
from goodwill.callbacks.models import CallBack
from goodwill.callbacks.selectors import callback_timeline_entries
from goodwill.conversations.models import Message

pytestmark = pytest.mark.django_db


def soon(minutes: int = 60):  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(minutes=minutes)


def test_scheduling_checks_time_number_and_who_calls(conversation, agent, light_agent):
    with pytest.raises(ValidationError) as error:
        services.schedule_callback(
            conversation, by=agent, due_at=timezone.now() - timedelta(minutes=1), phone="12", owner=light_agent
        )
    assert set(error.value.message_dict) == {"due_at", "phone", "owner"}
    assert CallBack.objects.count() == 0


def test_a_light_agent_cannot_schedule(conversation, light_agent):
    with pytest.raises(PermissionDenied):
        services.schedule_callback(conversation, by=light_agent, due_at=soon(), phone="+44 20 7946 0000")


def test_scheduling_for_a_teammate_tells_them(conversation, agent, teammate):
    callback = services.schedule_callback(
        conversation, by=agent, owner=teammate, due_at=soon(), phone="+44 20 7946 0000", note="About the router"
    )
    assert callback.customer == conversation.customer and callback.is_open
    notice = Notification.objects.get(agent=teammate)
    assert "asked you to call" in notice.title and "+44 20 7946 0000" in notice.body


def test_logging_the_call_closes_it_once(conversation, agent):
    callback = services.schedule_callback(conversation, by=agent, due_at=soon(), phone="+44 20 7946 0000")
    message = services.log_call(callback, by=agent, text="Reset the router together; works now.")
    callback.refresh_from_db()
    assert callback.state == CallBack.State.DONE and callback.call_message == message
    assert message.kind == Message.Kind.PHONE and message.conversation == conversation
    with pytest.raises(ValidationError, match="closed already"):
        services.log_call(callback, by=agent, text="again")
    assert conversation.messages.filter(kind=Message.Kind.PHONE).count() == 1


def test_cancel(conversation, agent):
    callback = services.schedule_callback(conversation, by=agent, due_at=soon(), phone="+44 20 7946 0000")
    services.cancel_callback(callback, by=agent, reason="Customer wrote back instead")
    callback.refresh_from_db()
    assert callback.state == CallBack.State.CANCELLED and callback.cancel_reason == "Customer wrote back instead"
    with pytest.raises(ValidationError):
        services.cancel_callback(callback, by=agent)


def test_the_owner_is_reminded_once_shortly_before(conversation, agent, django_capture_on_commit_callbacks):
    later = services.schedule_callback(conversation, by=agent, due_at=soon(120), phone="+44 20 7946 0000")
    near = services.schedule_callback(conversation, by=agent, due_at=soon(10), phone="+44 20 7946 0001")
    now = timezone.now()
    assert services.remind_due(now) == "1 call-back reminders"
    assert services.remind_due(now) == ""  # a second worker or the next run
    notices = Notification.objects.filter(agent=agent, kind="callback")
    assert [n.key for n in notices] == [f"callback:{near.pk}:due"]
    assert services.remind_due(later.due_at) == "1 call-back reminders"


def test_the_customer_confirmation_is_mailed_once(conversation, agent, django_capture_on_commit_callbacks):
    conversation.customer.time_zone = "Europe/Madrid"
    conversation.customer.save()
    due = timezone.now().replace(microsecond=0) + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        callback = services.schedule_callback(
            conversation, by=agent, due_at=due, phone="+34 600 000 000", confirm_to_customer=True
        )
    assert len(queued) == 1
    services.send_confirmation(callback.pk)
    services.send_confirmation(callback.pk)
    assert len(mail.outbox) == 1
    local = due.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Madrid"))
    assert f"at {local:%H:%M}" in mail.outbox[0].subject
    assert "+34 600 000 000" in mail.outbox[0].body and mail.outbox[0].to == ["carla@customer.test"]


def test_timeline_entries_for_the_customer(conversation, agent):
    services.schedule_callback(conversation, by=agent, due_at=soon(), phone="+44 20 7946 0000", note="Router")
    (entry,) = callback_timeline_entries(conversation.customer)
    assert entry["kind"] == "callback" and "to call" in entry["title"] and entry["url"].endswith(
        f"/c/{conversation.number}/"
    )
