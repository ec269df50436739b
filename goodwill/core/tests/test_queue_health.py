"""/healthz/worker and the admin's queue page: is a worker alive, does the queue keep up."""

from __future__ import annotations

import pytest
from django.test import Client

from goodwill.core.sweeper import Maintenance
from goodwill.core.tests.tasks_for_tests import leave_mark

pytestmark = pytest.mark.django_db


def test_it_is_503_with_a_reason_when_no_worker_runs(client: Client) -> None:
    response = client.get("/healthz/worker")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "no worker" in response.json()["reason"]


def test_it_is_ok_with_a_live_worker_and_a_short_queue(client: Client) -> None:
    Maintenance("worker-a", "database").beat()
    leave_mark.enqueue("waiting")

    response = client.get("/healthz/worker")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["workers"], body["queued"], body["running"]) == ("ok", 1, 1, 0)
    assert "no-cache" in response.headers["Cache-Control"]


def test_it_is_503_when_the_oldest_task_waits_too_long(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.QUEUE_MAX_AGE = 0
    Maintenance("worker-a", "database").beat()
    leave_mark.enqueue("waiting")

    response = client.get("/healthz/worker")

    assert response.status_code == 503
    assert "backed up" in response.json()["reason"]


def test_healthz_keeps_its_contract_without_a_worker(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_the_admin_shows_tasks_per_kind_with_their_age(client: Client, admin) -> None:  # type: ignore[no-untyped-def]
    leave_mark.enqueue("one")
    leave_mark.enqueue("two")
    Maintenance("worker-a", "database").beat()
    client.force_login(admin)

    page = client.get("/admin/core/workerbeat/").content.decode()

    assert "core.tests.tasks_for_tests.leave_mark" in page
    assert "<td>2</td>" in page  # queued
    assert "1 live worker" in page and "worker-a" in page


def test_agents_do_not_see_the_queue_page(client: Client, agent) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent)
    assert client.get("/admin/core/workerbeat/").status_code in (302, 403)
