"""Retention: a dry run first, then the worker's job closes and later deletes old conversations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from goodwill.channels.email.intake import ingest_many
from goodwill.channels.email.models import MessageKey, RawEmail
from goodwill.conversations.models import Conversation
from goodwill.core.events import subscribed
from goodwill.core.periodic import run_job
from goodwill.data.models import RetentionPolicy
from goodwill.data.retention import apply, dry_run, months_before
from goodwill.data.tests.helpers import mail

pytestmark = pytest.mark.django_db


def _old_and_new():  # type: ignore[no-untyped-def]
    with subscribed({}):
        ingest_many(
            [
                mail(msgid="old@example.org", subject="Old"),
                mail(sender="new@example.org", msgid="new@example.org", subject="New"),
            ]
        )
    old = Conversation.objects.get(subject="Old")
    Conversation.objects.filter(pk=old.pk).update(last_message_at=timezone.now() - timedelta(days=500))
    return old, Conversation.objects.get(subject="New")


def test_months_before_handles_month_ends():
    now = timezone.now().replace(year=2026, month=3, day=31)
    assert months_before(now, 1).date().isoformat() == "2026-02-28"
    assert months_before(now, 15).date().isoformat() == "2024-12-28"


def test_dry_run_then_close_then_delete(django_capture_on_commit_callbacks):
    old, new = _old_and_new()
    raw_path = RawEmail.objects.get(path=old.messages.get().raw_path).path
    policy = RetentionPolicy.objects.create(close_after_months=6, delete_after_months=12)
    report = dry_run(policy)
    assert (report.to_close, report.to_delete) == (1, 0)
    assert Conversation.objects.get(pk=old.pk).status == "new"  # a dry run changes nothing
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        first = apply(policy, timezone.now())
    assert first.closed == 1 and first.deleted == 0
    assert dry_run(policy).to_delete == 1
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        second = apply(policy, timezone.now() + timedelta(days=1))
    assert second.deleted == 1 and second.raw_emails_deleted == 1
    assert (
        not Conversation.objects.filter(pk=old.pk).exists()
        and Conversation.objects.filter(pk=new.pk).exists()
    )
    assert not default_storage.exists(raw_path)
    assert MessageKey.objects.count() == 2  # tombstone kept
    with subscribed({}):
        assert ingest_many([mail(msgid="old@example.org", subject="Old")]).duplicates == 1


def test_the_periodic_job_runs_only_active_policies():
    old, _new = _old_and_new()
    policy = RetentionPolicy.objects.create(close_after_months=6)
    with subscribed({}):
        run_job("data.retention")
    assert Conversation.objects.get(pk=old.pk).status == "new"
    policy.is_active = True
    policy.save()
    with subscribed({}):
        run_job("data.retention")
    assert Conversation.objects.get(pk=old.pk).status == "closed"


def test_retention_page_saves_and_shows_the_dry_run(client, admin):
    _old_and_new()
    client.force_login(admin)
    page = client.get(reverse("data:retention"))
    assert page.status_code == 200 and b"Conversations without a team" in page.content
    bad = client.post(
        reverse("data:retention"),
        {"scope": "team-none", "team-none-close_after_months": "12", "team-none-delete_after_months": "3"},
    )
    assert bad.status_code == 422 and b"Deleting must come after closing" in bad.content
    saved = client.post(
        reverse("data:retention"), {"scope": "team-none", "team-none-close_after_months": "6"}
    )
    assert saved.status_code == 302
    assert b"1 to close" in client.get(reverse("data:retention")).content


def test_erase_customer_command(agent, capsys, django_capture_on_commit_callbacks):
    from goodwill.data.tests.helpers import ADDRESS, customer_with_everything, table_hits

    customer_with_everything(agent)
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        call_command("erase_customer", ADDRESS, "--keep-conversations")
    assert '"mode": "anonymise"' in capsys.readouterr().out
    assert table_hits(ADDRESS) == []


def test_retention_command_dry_run_changes_nothing(capsys):
    import json

    old, _new = _old_and_new()
    RetentionPolicy.objects.create(close_after_months=6, is_active=True)
    call_command("retention", "--dry-run")
    report = json.loads(capsys.readouterr().out)
    assert report["policies"][0]["to_close"] == 1 and report["policies"][0]["active"] is True
    assert Conversation.objects.get(pk=old.pk).status == "new"
    with subscribed({}):
        call_command("retention")
    assert json.loads(capsys.readouterr().out)["policies"][0]["closed"] == 1
    assert Conversation.objects.get(pk=old.pk).status == "closed"
