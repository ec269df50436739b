"""One retention policy per scope (each team, and conversations without a team), even when two
admins save the same scope's first policy at once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from goodwill.accounts.models import Team
from goodwill.data.forms import RetentionForm
from goodwill.data.models import RetentionPolicy
from goodwill.data.retention import save_policy

pytestmark = pytest.mark.django_db

TYPED = {"close_after_months": "6", "delete_after_months": "24"}


def test_the_database_holds_one_policy_for_conversations_without_a_team():
    RetentionPolicy.objects.create(close_after_months=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionPolicy.objects.create(close_after_months=12)
    assert RetentionPolicy.objects.filter(team__isnull=True).count() == 1


def test_teams_still_have_one_each_beside_the_teamless_one():
    first, second = Team.objects.create(name="First", slug="first"), Team.objects.create(name="Second", slug="second")
    RetentionPolicy.objects.create(close_after_months=6)
    RetentionPolicy.objects.create(team=first, close_after_months=6)
    RetentionPolicy.objects.create(team=second, close_after_months=6)
    assert RetentionPolicy.objects.count() == 3


def test_the_admin_who_saves_second_is_told_and_nothing_changes():
    # The other admin's policy was saved after this admin's page was read: the form still holds
    # a new, unsaved policy for the same scope.
    RetentionPolicy.objects.create(close_after_months=3, is_active=True)
    form = RetentionForm(TYPED, instance=RetentionPolicy(team=None))
    assert form.is_valid()
    assert save_policy(form) is False
    assert "Someone else saved retention here" in str(form.non_field_errors())
    assert form["close_after_months"].value() == "6"  # what was typed stays
    kept = RetentionPolicy.objects.get(team__isnull=True)
    assert (kept.close_after_months, kept.is_active) == (3, True)


def test_saving_a_scopes_first_policy_works(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("data:retention"),
        {"scope": "team-none", **{f"team-none-{key}": value for key, value in TYPED.items()}},
    )
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(team__isnull=True)
    assert (policy.close_after_months, policy.delete_after_months) == (6, 24)
