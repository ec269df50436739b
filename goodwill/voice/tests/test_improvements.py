"""Complaints are thanked once, linked to improvements; shipping tells each customer once; extra miles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from goodwill.conversations.models import Message
from goodwill.conversations.services import open_conversation
from goodwill.customers.services import create_customer
from goodwill.voice import improvements as service
from goodwill.voice.models import Complaint, ExtraMile, Improvement

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(customer, support_team, agent):  # type: ignore[no-untyped-def]
    conversation = open_conversation(
        customer=customer, subject="Late again", channel="email", team=support_team,
        text="This is the third late delivery. Completely unacceptable.",
    )[0]
    return service.mark_complaint(conversation, by=agent, summary="Deliveries late")


def test_marking_twice_keeps_one_complaint(complaint, agent):
    again = service.mark_complaint(complaint.conversation, by=agent)
    assert again == complaint and Complaint.objects.count() == 1


def test_complaint_words_are_suggested(customer, support_team):
    conversation = open_conversation(customer=customer, subject="x", text="I want to complain about your driver",
                                     channel="email")[0]
    assert "complain" in service.looks_like_a_complaint(conversation)
    calm = open_conversation(customer=customer, subject="y", text="What are your opening hours?", channel="email")[0]
    assert service.looks_like_a_complaint(calm) == ""


def test_thanks_is_sent_once_in_the_conversation(complaint, agent):
    text = service.acknowledgement_text(complaint.conversation)
    assert text.startswith("Hello Carla,") and "Thank you for telling us" in text
    service.acknowledge(complaint, by=agent, text=text)
    with pytest.raises(ValidationError):
        service.acknowledge(complaint, by=agent, text=text)
    assert complaint.conversation.messages.filter(direction="out").count() == 1


def test_shipping_tells_each_customer_once(complaint, agent, support_team):
    other_customer = create_customer(name="Dev Patel", emails=["dev@customer.test"])
    other = open_conversation(customer=other_customer, subject="Late", text="Late again!", channel="email")[0]
    second = service.mark_complaint(other, by=agent)
    improvement = service.create_improvement(title="Same-day dispatch", by=agent)
    service.link_improvement(complaint, improvement, by=agent)
    service.link_improvement(second, improvement, by=agent)
    with pytest.raises(ValidationError):
        service.change_improvement(improvement, status="shipped", by=agent)  # nothing to tell them yet
    told = service.change_improvement(
        improvement, status="shipped", by=agent, announcement="We now dispatch every order the same day."
    )
    assert told == 2
    assert service.tell_customers(improvement, by=agent) == 0  # a second click tells nobody again
    for conversation in (complaint.conversation, other):
        replies = conversation.messages.filter(direction=Message.Direction.OUTBOUND)
        assert [m.text for m in replies] == ["We now dispatch every order the same day."]
    assert Improvement.objects.get().shipped_at is not None


def test_wont_do_needs_a_reason(complaint, agent):
    improvement = service.create_improvement(title="Free helicopters", by=agent)
    with pytest.raises(ValidationError):
        service.change_improvement(improvement, status="wont_do", by=agent)
    service.change_improvement(improvement, status="wont_do", by=agent, reason="Too costly for what it gives")
    assert Improvement.objects.get().reason == "Too costly for what it gives"


def test_extra_mile(complaint, agent):
    service.log_extra_mile(complaint.conversation, by=agent, what="Sent a replacement by courier", cost="18.50")
    assert ExtraMile.objects.get().cost == Decimal("18.50")
    with pytest.raises(ValidationError):
        service.log_extra_mile(complaint.conversation, by=agent, what="x", cost="lots")
    with pytest.raises(ValidationError):
        service.log_extra_mile(complaint.conversation, by=agent, what=" ")


def test_the_panel_and_pages(client, agent, complaint):
    client.force_login(agent)
    page = client.get(f"/c/{complaint.conversation.number}/").content.decode()
    assert "Thank you for telling us" in page and "Link to an improvement" in page
    client.post(f"/c/{complaint.conversation.number}/complaint/improvement/", {"improvement": "new",
                                                                               "title": "Better couriers"})
    improvement = Improvement.objects.get()
    assert Complaint.objects.get().improvement == improvement
    listing = client.get("/voice/improvements/").content.decode()
    assert "Better couriers" in listing and "1 customer" in listing
    bad = client.post(f"/voice/improvements/{improvement.pk}/", {"status": "shipped", "announcement": ""})
    assert bad.status_code == 400
    client.post(f"/voice/improvements/{improvement.pk}/", {"status": "shipped", "announcement": "New couriers."})
    assert Complaint.objects.get().notified_at is not None
