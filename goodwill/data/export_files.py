"""A customer's data ZIP built by the worker, not in the request: asked for, built once, downloaded
until it expires, then deleted (export.py writes the ZIP itself; `goodwill export-customer`
still writes one directly).

- `request_export` is idempotent: at most one export per (customer, audience) is waiting or
  being built (a database constraint), so a double click or two admins get the same one.
- `build_export` (a retried task) leases the row before building, so two workers never build
  the same export, and a build whose worker died is taken over once its lease runs out
  (the periodic `data.exports` job enqueues it again, as it does a task that got lost).
- A finished file is kept `GOODWILL_EXPORT_KEEP_HOURS` (48 by default); `data.exports` deletes
  it and its row afterwards. Erasing the customer deletes their exports and files too (the
  row hangs off the customer; outside.delete_files removes the file).
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from goodwill.accounts.models import Agent
from goodwill.core.tasks import retrying_task
from goodwill.customers.models import Customer
from goodwill.data.export import write_export
from goodwill.data.models import DataExport

logger = logging.getLogger("goodwill.data")

MAX_ATTEMPTS = 5
FOLDER = "exports"


def _keep() -> timedelta:
    return timedelta(hours=float(getattr(settings, "DATA_EXPORT_KEEP_HOURS", 48)))


def _lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "DATA_EXPORT_LEASE_SECONDS", 1800)))


def request_export(customer: Customer, *, audience: str, by: Agent | None = None) -> DataExport:
    """The export waiting or being built for this customer and audience, or a new one (then
    built by the worker after commit)."""
    open_states = [DataExport.State.QUEUED, DataExport.State.BUILDING]
    existing = DataExport.objects.filter(customer=customer, audience=audience, state__in=open_states).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            export = DataExport.objects.create(customer=customer, audience=audience, requested_by=by)
    except IntegrityError:  # asked for at the same moment elsewhere: that one it is
        return DataExport.objects.get(customer=customer, audience=audience, state__in=open_states)
    transaction.on_commit(partial(build_export.enqueue, export.pk))
    return export


def latest_exports(customer: Customer, audience: str, *, limit: int = 5) -> list[DataExport]:
    """The newest exports still of use (not expired) for the page."""
    now = timezone.now()
    return list(
        DataExport.objects.filter(customer=customer, audience=audience)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .defer("error")[:limit]
    )


def downloadable(export: DataExport, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        export.state == DataExport.State.READY
        and bool(export.file.name)
        and export.expires_at is not None
        and export.expires_at > now
    )


def _claim(export_id: int) -> int | None:
    """Lease the export for one build; the attempt number, or None when there is nothing to do
    (ready, failed, deleted, or being built by a worker whose lease still runs)."""
    now = timezone.now()
    claimable = Q(state=DataExport.State.QUEUED) | Q(state=DataExport.State.BUILDING, lease_until__lt=now)
    claimed = (
        DataExport.objects.filter(claimable, pk=export_id)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .update(state=DataExport.State.BUILDING, lease_until=now + _lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return DataExport.objects.filter(pk=export_id).values_list("attempts", flat=True).first()


def build(export_id: int) -> bool:
    """Build the ZIP once; True when this call finished it. Raises (to be retried) on failure."""
    attempt = _claim(export_id)
    if attempt is None:
        return False
    export = DataExport.objects.select_related("customer").get(pk=export_id)
    try:
        with tempfile.TemporaryFile() as spool:
            write_export(export.customer, spool, audience=export.audience)
            size = spool.tell()
            spool.seek(0)
            name = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.zip", File(spool))
    except Exception as error:
        _failed(export_id, attempt, error)
        raise
    now = timezone.now()
    finished = DataExport.objects.filter(
        pk=export_id, state=DataExport.State.BUILDING, attempts=attempt
    ).update(
        state=DataExport.State.READY,
        file=name,
        size=size,
        lease_until=None,
        error="",
        finished_at=now,
        expires_at=now + _keep(),
    )
    if not finished:  # erased meanwhile, or taken over by another worker: this file is nobody's
        default_storage.delete(name)
    return bool(finished)


def _failed(export_id: int, attempt: int, error: Exception) -> None:
    state = DataExport.State.FAILED if attempt >= MAX_ATTEMPTS else DataExport.State.QUEUED
    DataExport.objects.filter(pk=export_id, attempts=attempt).update(
        state=state, lease_until=None, error=f"{type(error).__name__}: {error}"[:500]
    )


@retrying_task(max_attempts=MAX_ATTEMPTS, backoff_base=30.0)
def build_export(export_id: int) -> None:
    """Build one export; a failure is retried with backoff (the row keeps its own attempt count)."""
    build(export_id)


def sweep(now: datetime) -> str:
    """Periodic `data.exports`: delete expired files and rows; enqueue again what was lost."""
    expired = list(
        DataExport.objects.filter(
            Q(expires_at__lt=now) | Q(state=DataExport.State.FAILED, created_at__lt=now - _keep())
        ).values_list("pk", "file")
    )
    for _pk, name in expired:
        if name and default_storage.exists(name):
            default_storage.delete(name)
    DataExport.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    dead = Q(state=DataExport.State.BUILDING, lease_until__lt=now)
    DataExport.objects.filter(dead, attempts__gte=MAX_ATTEMPTS).update(
        state=DataExport.State.FAILED, lease_until=None, error="The worker stopped while building it."
    )
    waiting = Q(state=DataExport.State.QUEUED, created_at__lt=now - timedelta(minutes=10))
    lost = list(DataExport.objects.filter(waiting | dead).values_list("pk", flat=True))
    for pk in lost:
        build_export.enqueue(pk)
    return f"{len(expired)} export(s) deleted, {len(lost)} enqueued again"
