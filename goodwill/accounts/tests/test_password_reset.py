"""Asking for a password reset: limited, the same work for every address, mail sent by the worker."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from goodwill.accounts.models import Agent
from goodwill.accounts.tests.tasks import run_queued_tasks

RESET = reverse("accounts:password_reset")


def ask(email: str, *, ip: str = "198.51.100.1") -> int:
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=ip).status_code


def run_worker() -> None:
    run_queued_tasks()


def test_the_reset_mail_is_sent_by_the_worker_not_by_the_request(agent: Agent) -> None:
    assert ask("sam@example.com") == 302
    assert mail.outbox == []

    run_worker()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.com"]
    assert re.search(r"http://127\.0\.0\.1:8000/accounts/reset/\S+/\S+/", mail.outbox[0].body)


def test_a_known_and_an_unknown_address_cost_the_request_the_same_work(agent: Agent) -> None:
    ask("warm-up@example.com")  # first-use costs (sessions, content types) out of the way
    answers = []
    for email, ip in (("sam@example.com", "198.51.100.8"), ("nobody@example.com", "198.51.100.9")):
        with CaptureQueriesContext(connection) as queries:
            status = ask(email, ip=ip)
        answers.append(
            (status, [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in queries.captured_queries])
        )

    assert answers[0] == answers[1]
    assert mail.outbox == []
    run_worker()
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]


def test_reset_requests_for_one_address_are_limited(agent: Agent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    statuses = [ask("sam@example.com", ip=f"203.0.113.{n}") for n in range(4)]
    refused = Client().post(RESET, {"email": "sam@example.com"}, REMOTE_ADDR="203.0.113.99")

    assert statuses == [302, 302, 429, 429]
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    run_worker()
    assert len(mail.outbox) == 2


def test_reset_requests_from_one_address_are_limited(agent: Agent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_RESET_IP_RATE_LIMIT = 3
    statuses = [ask(f"person-{n}@example.com") for n in range(3)]

    assert statuses == [302, 302, 302]
    assert ask("sam@example.com") == 429
    assert ask("sam@example.com", ip="198.51.100.2") == 302


@pytest.mark.parametrize("email", ["sam@example.com", "nobody@example.com"])
def test_every_request_queues_one_task_whether_or_not_the_account_exists(agent: Agent, email: str) -> None:
    ask(email)

    assert DBTaskResult.objects.count() == 1
