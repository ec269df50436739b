"""Retention: per team, close conversations idle for N months, and later delete closed ones
(with their raw mail). A dry run tells what would happen; the worker runs active policies."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from goodwill.channels.email.models import EmailDetails, RawEmail
from goodwill.conversations.models import Conversation, Message
from goodwill.conversations.services.properties import change_status
from goodwill.data.forms import RetentionForm
from goodwill.data.models import RetentionPolicy
from goodwill.data.outside import is_referenced

BATCH = 200
MAX_PER_RUN = 5000


def save_policy(form: RetentionForm) -> bool:
    """Save a valid retention form. False when another admin saved this scope's first policy
    since the form's page was read (one per team, one for conversations without a team): nothing
    is saved and the form says so, keeping what was typed."""
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        form.add_error(
            None,
            "Someone else saved retention here a moment ago. Reload the page to see their "
            "settings, then change them.",
        )
        return False
    return True


def months_before(now: datetime, months: int) -> datetime:
    year, month = divmod(now.month - 1 - months, 12)
    month += 1
    year += now.year
    day = min(now.day, 28)
    return now.replace(year=year, month=month, day=day)


@dataclass
class Report:
    scope: str
    to_close: int = 0
    to_delete: int = 0
    closed: int = 0
    deleted: int = 0
    raw_emails_deleted: int = 0
    close_before: str = ""
    delete_before: str = ""


def _scope(policy: RetentionPolicy) -> QuerySet[Conversation]:
    if policy.team_id is None:
        return Conversation.objects.filter(team__isnull=True)
    return Conversation.objects.filter(team_id=policy.team_id)


def _to_close(policy: RetentionPolicy, now: datetime) -> QuerySet[Conversation]:
    if not policy.close_after_months:
        return Conversation.objects.none()
    cutoff = months_before(now, policy.close_after_months)
    return _scope(policy).exclude(status=Conversation.Status.CLOSED).filter(last_message_at__lt=cutoff)


def _to_delete(policy: RetentionPolicy, now: datetime) -> QuerySet[Conversation]:
    if not policy.delete_after_months:
        return Conversation.objects.none()
    cutoff = months_before(now, policy.delete_after_months)
    # Closed before this run: what a run closes is deleted by a later one, never at once.
    return _scope(policy).filter(
        Q(closed_at__lt=now) | Q(closed_at__isnull=True),
        status=Conversation.Status.CLOSED,
        last_message_at__lt=cutoff,
    )


def dry_run(policy: RetentionPolicy, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    report = Report(scope=str(policy.team or "Conversations without a team"))
    report.to_close = _to_close(policy, now).count()
    report.to_delete = _to_delete(policy, now).count()
    if policy.close_after_months:
        report.close_before = months_before(now, policy.close_after_months).date().isoformat()
    if policy.delete_after_months:
        report.delete_before = months_before(now, policy.delete_after_months).date().isoformat()
    return report


def _delete_batch(ids: list[int]) -> tuple[int, int]:
    """Delete conversations and their raw mail; Message-ID keys stay as tombstones."""
    message_ids = list(Message.objects.filter(conversation_id__in=ids).values_list("pk", flat=True))
    raw_ids = set(
        EmailDetails.objects.filter(message_id__in=message_ids, raw__isnull=False).values_list(
            "raw_id", flat=True
        )
    )
    paths = set(
        Message.objects.filter(pk__in=message_ids).exclude(raw_path="").values_list("raw_path", flat=True)
    )
    raw_ids |= set(RawEmail.objects.filter(path__in=paths).values_list("pk", flat=True))
    files = paths | set(RawEmail.objects.filter(pk__in=raw_ids).values_list("path", flat=True))
    files |= {
        name
        for name in Message.objects.filter(pk__in=message_ids).values_list("attachments__file", flat=True)
        if name
    }
    with transaction.atomic():
        deleted = Conversation.objects.filter(pk__in=ids).delete()[1].get("conversations.Conversation", 0)
        RawEmail.objects.filter(pk__in=raw_ids).delete()

    def remove_files() -> None:
        from django.core.files.storage import default_storage

        for name in files:
            if not is_referenced(name) and default_storage.exists(name):
                default_storage.delete(name)

    transaction.on_commit(remove_files)
    return deleted, len(raw_ids)


def apply(policy: RetentionPolicy, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    report = dry_run(policy, now)
    for conversation in _to_close(policy, now).order_by("id")[:MAX_PER_RUN]:
        with transaction.atomic():
            change_status(conversation, Conversation.Status.CLOSED, by=None)
        report.closed += 1
    remaining = MAX_PER_RUN
    while remaining > 0:
        ids = list(
            _to_delete(policy, now).order_by("id").values_list("pk", flat=True)[: min(BATCH, remaining)]
        )
        if not ids:
            break
        deleted, raws = _delete_batch(ids)
        report.deleted += deleted
        report.raw_emails_deleted += raws
        remaining -= len(ids)
    policy.last_run_at = now
    policy.last_report = asdict(report)
    policy.save(update_fields=["last_run_at", "last_report"])
    return report


def run(now: datetime) -> str | None:
    """The periodic job: apply every active policy (idempotent: a repeat finds nothing to do)."""
    reports = [
        apply(policy, now) for policy in RetentionPolicy.objects.filter(is_active=True).select_related("team")
    ]
    if not reports:
        return None
    return "; ".join(f"{r.scope}: {r.closed} closed, {r.deleted} deleted" for r in reports)
