"""The inbox's navigation lists read what the ORM reads, in the same order, fresh on every call."""

from __future__ import annotations

import pytest

from goodwill.accounts.models import Team
from goodwill.conversations import navigation
from goodwill.conversations.models import ContactReason, CustomField, SavedView
from goodwill.conversations.selectors import saved_views_for

pytestmark = pytest.mark.django_db


def test_saved_views_are_the_agents_own_and_the_shared_ones(agent, teammate, admin):
    SavedView.objects.create(owner=agent, name="b mine", filters={}, sort="recent")
    SavedView.objects.create(owner=teammate, name="a theirs", filters={}, sort="recent")
    SavedView.objects.create(owner=admin, name="a shared", filters={}, sort="recent", is_shared=True)
    links = navigation.saved_view_links(agent)
    assert [(link.pk, link.name, link.owner_id, link.is_shared) for link in links] == [
        (view.pk, view.name, view.owner_id, view.is_shared) for view in saved_views_for(agent)
    ]
    assert [link.name for link in links] == ["a shared", "b mine"]


def test_teams_and_needs_are_labelled_and_ordered_as_before(support_team, billing_team):
    billing = ContactReason.objects.create(name="Billing")
    ContactReason.objects.create(name="Refund", parent=billing)
    ContactReason.objects.create(name="Address", parent=billing)
    ContactReason.objects.create(name="Old", is_active=False)
    assert [(t.pk, str(t)) for t in navigation.team_choices()] == [(t.pk, str(t)) for t in Team.objects.all()]
    needs = ContactReason.objects.filter(is_active=True).select_related("parent")
    assert [(n.pk, str(n)) for n in navigation.need_choices()] == [(n.pk, str(n)) for n in needs]
    assert "Billing › Refund" in [str(n) for n in navigation.need_choices()]
    Team.objects.create(name="Added just now", slug="added")
    assert "Added just now" in [str(t) for t in navigation.team_choices()]


def test_custom_fields_are_the_active_ones_with_their_settings():
    CustomField.objects.create(
        key="plan", label="Plan", type=CustomField.Type.CHOICE, choices=["a", "b"], position=2
    )
    CustomField.objects.create(key="vip", label="VIP", type=CustomField.Type.BOOLEAN, position=1)
    CustomField.objects.create(key="gone", label="Gone", is_active=False)
    fields = navigation.active_custom_fields()
    expected = CustomField.objects.filter(is_active=True)
    assert [(f.pk, f.key, f.label, f.type, f.choices) for f in fields] == [
        (f.pk, f.key, f.label, f.type, f.choices) for f in expected
    ]
    assert [f.key for f in fields] == ["vip", "plan"] and fields[1].choices == ["a", "b"]
