"""`/healthz` tells a load balancer whether this process can reach its database."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from goodwill.core.testing import clean_env, free_port, python_json

ASK_HEALTHZ = """
import json
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json(),
                  "cache": response.headers.get("Cache-Control", "")}))
"""


@pytest.mark.django_db
def test_it_answers_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_it_needs_no_sign_in(client: Client) -> None:
    client.logout()

    assert client.get("/healthz").status_code == 200


def test_it_answers_503_when_postgresql_does_not_answer(tmp_path: Path) -> None:
    closed_port = free_port()
    env = clean_env(
        tmp_path,
        GOODWILL_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port}/goodwill",
        GOODWILL_ALLOWED_HOSTS="testserver",
    )

    seen = python_json(ASK_HEALTHZ, env)

    assert seen["status"] == 503
    assert seen["body"] == {"status": "error", "database": "unavailable"}
    assert "no-cache" in seen["cache"]


def test_it_answers_503_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    missing_folder = tmp_path / "not-there" / "goodwill.sqlite3"
    env = clean_env(
        tmp_path / "data",
        GOODWILL_DATABASE_URL=f"sqlite:///{missing_folder}",
        GOODWILL_ALLOWED_HOSTS="testserver",
    )

    seen = python_json(ASK_HEALTHZ, env)

    assert seen["status"] == 503
    assert seen["body"]["database"] == "unavailable"
