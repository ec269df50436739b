"""Data exports built by the worker: asked for once, built once under a lease, retried after a
failure, taken over after a dead worker, deleted when expired or when the customer is erased."""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from goodwill.core.events import subscribed
from goodwill.data import export_files
from goodwill.data.erasure import erase_customer
from goodwill.data.export import CUSTOMER, TEAM
from goodwill.data.models import DataExport
from goodwill.data.tests.helpers import ADDRESS, customer_with_everything

pytestmark = pytest.mark.django_db

BUILD = "goodwill.data.export_files.build_export"


def _queued_builds() -> list[int]:
    return [task.args_kwargs["args"][0] for task in DBTaskResult.objects.filter(task_path=BUILD)]


def _zip(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file.name, "rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def test_asking_twice_gives_one_export_built_once(agent, admin, django_capture_on_commit_callbacks):
    customer = customer_with_everything(agent).customer
    with django_capture_on_commit_callbacks(execute=True):
        first = export_files.request_export(customer, audience=TEAM, by=admin)
        again = export_files.request_export(customer, audience=TEAM, by=admin)
    assert again.pk == first.pk and _queued_builds() == [first.pk]
    portal = export_files.request_export(customer, audience=CUSTOMER)
    assert portal.pk != first.pk  # another audience, another file
    assert export_files.build(first.pk) is True
    assert export_files.build(first.pk) is False  # the task run again: nothing to do
    first.refresh_from_db()
    assert first.state == DataExport.State.READY and export_files.downloadable(first)
    assert first.expires_at is not None
    assert first.expires_at - first.finished_at == timedelta(hours=settings.DATA_EXPORT_KEEP_HOURS)  # type: ignore[operator]
    archive = _zip(first)
    assert "customer.json" in archive.namelist() and ADDRESS.encode() in archive.read("customer.json")
    assert first.size == default_storage.size(first.file.name)
    newer = export_files.request_export(customer, audience=TEAM, by=admin)
    assert newer.pk != first.pk  # once ready, asking again builds a fresh one


def test_a_failed_build_is_retried_then_gives_up(agent, settings):
    customer = customer_with_everything(agent).customer
    export = export_files.request_export(customer, audience=TEAM)
    blocker = Path(settings.MEDIA_ROOT) / export_files.FOLDER
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the folder should be")  # the storage cannot save
    with pytest.raises(OSError):
        export_files.build(export.pk)
    export.refresh_from_db()
    assert export.state == DataExport.State.QUEUED and export.attempts == 1 and export.error
    export_files.build_export.call(export.pk)  # the task: fails again and enqueues its retry
    assert _queued_builds() == [export.pk]
    blocker.unlink()
    assert export_files.build(export.pk) is True
    export.refresh_from_db()
    assert export.state == DataExport.State.READY and export.attempts == 3 and export.error == ""
    broken = export_files.request_export(customer, audience=TEAM)
    shutil.rmtree(blocker)
    blocker.write_text("again")
    for _ in range(export_files.MAX_ATTEMPTS):
        with pytest.raises(OSError):
            export_files.build(broken.pk)
    broken.refresh_from_db()
    assert broken.state == DataExport.State.FAILED
    assert export_files.build(broken.pk) is False


def test_a_build_under_another_workers_lease_waits_then_is_taken_over(agent):
    customer = customer_with_everything(agent).customer
    export = export_files.request_export(customer, audience=TEAM)
    held = timezone.now() + timedelta(minutes=5)
    DataExport.objects.filter(pk=export.pk).update(
        state=DataExport.State.BUILDING, lease_until=held, attempts=1
    )
    assert export_files.build(export.pk) is False  # another worker is on it
    DataExport.objects.filter(pk=export.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert export_files.build(export.pk) is True  # that worker died: taken over
    export.refresh_from_db()
    assert export.state == DataExport.State.READY and export.attempts == 2


def test_the_sweep_deletes_expired_files_and_enqueues_lost_builds(agent):
    customer = customer_with_everything(agent).customer
    done = export_files.request_export(customer, audience=TEAM)
    export_files.build(done.pk)
    done.refresh_from_db()
    lost = export_files.request_export(customer, audience=CUSTOMER)
    DBTaskResult.objects.all().delete()
    later = timezone.now() + timedelta(hours=settings.DATA_EXPORT_KEEP_HOURS, minutes=1)
    summary = export_files.sweep(later)
    assert summary == "1 export(s) deleted, 1 enqueued again"
    assert not DataExport.objects.filter(pk=done.pk).exists() and not default_storage.exists(done.file.name)
    assert _queued_builds() == [lost.pk]
    DataExport.objects.filter(pk=lost.pk).update(
        state=DataExport.State.BUILDING, attempts=export_files.MAX_ATTEMPTS, lease_until=timezone.now()
    )
    export_files.sweep(timezone.now() + timedelta(seconds=1))
    assert (
        DataExport.objects.get(pk=lost.pk).state == DataExport.State.FAILED
    )  # its worker died at the last try


@pytest.mark.parametrize("keep", [False, True], ids=["delete", "anonymise"])
def test_erasing_the_customer_deletes_their_exports_and_files(
    keep, agent, django_capture_on_commit_callbacks
):
    customer = customer_with_everything(agent).customer
    export = export_files.request_export(customer, audience=CUSTOMER)
    export_files.build(export.pk)
    export.refresh_from_db()
    assert default_storage.exists(export.file.name)
    with subscribed({}), django_capture_on_commit_callbacks(execute=True):
        erase_customer(customer, keep_conversations=keep)
    assert not DataExport.objects.exists() and not default_storage.exists(export.file.name)
