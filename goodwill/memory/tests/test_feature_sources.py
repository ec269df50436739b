"""The features wired into the customer's timeline and page: promises, call-backs, feedback,
complaints, and the data panel — each entry once, restricted teams respected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from goodwill.accounts.models import Team
from goodwill.callbacks.services import schedule_callback
from goodwill.conversations.services import open_conversation
from goodwill.core.events import subscribed
from goodwill.memory.timeline import customer_timeline
from goodwill.promises.services import confirm_promise
from goodwill.voice.improvements import mark_complaint
from goodwill.voice.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(customer, support_team):  # type: ignore[no-untyped-def]
    with subscribed({}):
        return open_conversation(customer=customer, subject="Boiler", text="Noise", channel="email",
                                 team=support_team)[0]


def test_every_feature_shows_on_the_customers_timeline(agent, customer, conversation):
    confirm_promise(conversation, by=agent, text="We'll call you tomorrow.", due_at=timezone.now() + timedelta(days=1))
    schedule_callback(conversation, by=agent, due_at=timezone.now() + timedelta(hours=2), phone="+44 20 7946 0000")
    Survey.objects.create(conversation=conversation, customer=customer, send_after=timezone.now(),
                          outcome="partly", conduct=4, answered_at=timezone.now(), comment="Kind people")
    mark_complaint(conversation, by=agent, summary="Noisy boiler again")
    entries, _cursor = customer_timeline(agent, customer, limit=50)
    kinds = [entry.kind for entry in entries]
    for kind in ("promise", "callback", "feedback", "complaint"):
        assert kinds.count(kind) == 1, kinds
    feedback = next(entry for entry in entries if entry.kind == "feedback")
    assert "need met: partly, treated 4/5" in feedback.title and feedback.body == "Kind people"


def test_restricted_teams_stay_hidden_from_outsiders(agent, outsider, customer, conversation):
    secret = Team.objects.create(name="Secret", slug="secret", is_restricted=True)
    conversation.team = secret
    conversation.save()
    mark_complaint(conversation, by=agent, summary="Private matter")
    kinds = [entry.kind for entry in customer_timeline(outsider, customer, limit=50)[0]]
    assert "complaint" not in kinds


def test_admins_see_the_data_panel_on_the_customer_page(client, admin, agent, customer, conversation):
    client.force_login(admin)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Export or erase this customer" in page
    client.force_login(agent)
    assert "Export or erase this customer" not in client.get(f"/customers/{customer.pk}/").content.decode()
