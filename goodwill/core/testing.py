"""Helpers for tests that run Goodwill in a separate process, as an operator would.

Settings are read at import time, so checking how an environment variable is understood
means starting a new Python with a crafted environment. These helpers build that
environment from scratch (no GOODWILL_* leaks in from the test run) and run the
`goodwill` command line or a snippet of Python against a data folder.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import pytest

PYTHON = sys.executable
GOODWILL = str(Path(sys.executable).with_name("goodwill"))
TIMEOUT = 120
T = TypeVar("T")


def clean_env(data_dir: Path | str, **extra: str) -> dict[str, str]:
    """The test run's environment without any GOODWILL_ variable, pointed at `data_dir`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOODWILL_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "goodwill.settings"
    env["GOODWILL_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run_goodwill(
    args: list[str], env: Mapping[str, str], *, input: str | None = None, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run the `goodwill` console script and capture its output."""
    return subprocess.run(
        [GOODWILL, *args],
        env=dict(env),
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_python(
    code: str, env: Mapping[str, str], *, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run `code` after `django.setup()` in a new interpreter."""
    prelude = "import django\ndjango.setup()\n"
    return subprocess.run(
        [PYTHON, "-c", prelude + code],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def python_json(code: str, env: Mapping[str, str]) -> object:
    """Run `code`, which prints one JSON document on its last line, and return it parsed."""
    result = run_python(code, env)
    if result.returncode != 0:
        raise AssertionError(f"subprocess failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def migrate(data_dir: Path, **extra: str) -> None:
    # ~11 s of CPU for every migration from scratch: on a loaded machine that is minutes.
    result = run_goodwill(
        ["migrate", "--noinput", "--verbosity", "0"], clean_env(data_dir, **extra), timeout=600
    )
    if result.returncode != 0:
        raise AssertionError(f"migrate failed:\n{result.stdout}\n{result.stderr}")


def copy_data_dir(template: Path, target: Path) -> Path:
    """A fresh copy of a migrated data folder (much faster than migrating again)."""
    shutil.copytree(template, target, dirs_exist_ok=True)
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(url: str, *, timeout: float = 5.0) -> tuple[int, bytes]:
    """GET `url`; returns (status, body) for error statuses too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for_http(url: str, *, process: subprocess.Popen[str] | None = None, timeout: float = 60.0) -> int:
    """Poll `url` until it answers at all; returns the first status seen."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"server exited with {process.returncode}:\n{output}")
        try:
            return http_get(url, timeout=2.0)[0]
        except (OSError, urllib.error.URLError) as error:
            last_error = error
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {timeout}s: {last_error}")


def stop(process: subprocess.Popen[str], *, timeout: float = 15.0) -> None:
    """Ask a server to stop (SIGTERM), and kill it if it does not."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def start_worker(env: Mapping[str, str], *args: str) -> subprocess.Popen[str]:
    """Start `goodwill worker ARGS…` in the background; its output (stderr too) on `stdout`."""
    return subprocess.Popen(
        [GOODWILL, "worker", *args],
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_workers_together(
    env: Mapping[str, str], count: int = 2, *, timeout: float = 180
) -> list[tuple[int, str]]:
    """Run `count` workers at once on the queue until it is empty (`--batch`); (exit status, output) each."""
    workers = [start_worker(env, "--batch", "--interval", "0.05") for _ in range(count)]
    outputs = [worker.communicate(timeout=timeout)[0] for worker in workers]
    return [(worker.returncode, output) for worker, output in zip(workers, outputs, strict=True)]


def wait_until(
    check: Callable[[], T], *, process: subprocess.Popen[str], timeout: float = 120.0, what: str = "it"
) -> T:
    """Call `check` until it returns something true and return that; fail when `process` exits first
    (with its output) or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the process exited with {process.returncode} before {what}:\n{output}")
        time.sleep(0.2)  # between polls only; the loop ends on the condition
    raise AssertionError(f"no {what} after {timeout:.0f} s")


def query_plan(sql: str) -> str:
    """The plan the database picks for `sql` (EXPLAIN QUERY PLAN on SQLite), as one string.

    On PostgreSQL sorts and full scans are priced out first: a test's few rows would make any
    plan cheap, so the planner takes an index only when the query's condition matches the
    index's, which is what a test of "this page walks that index" wants to know.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(str(row) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(str(row) for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")


# --- pytest fixtures (import them into a tests package's conftest.py) ----------------


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a migrated SQLite database, made once per test process."""
    template = tmp_path_factory.mktemp("migrated-template")
    migrate(template)
    return template


@pytest.fixture
def migrated_data_dir(migrated_template: Path, tmp_path: Path) -> Path:
    """This test's own copy of a migrated data folder (SQLite file database)."""
    return copy_data_dir(migrated_template, tmp_path / "data")


def postgres_server_url() -> str | None:
    """The PostgreSQL server the tests may create databases on, or None when none answers."""
    base = os.environ.get("GOODWILL_DATABASE_URL", "")
    if not base.startswith("postgres"):
        base = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        import psycopg

        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            pass
    except Exception:  # noqa: BLE001 - any failure means "no server to test against"
        return None
    return base.rsplit("/", 1)[0]


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    """A migrated PostgreSQL database (and its data folder), made once per test process.

    Migrating PostgreSQL from scratch takes seconds; `CREATE DATABASE … TEMPLATE` copies
    the migrated one in a fraction of that. Yields (data folder, server URL, database name).
    """
    import uuid

    import psycopg

    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server answers")
    name = f"gw_subtpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    data_dir = tmp_path_factory.mktemp("postgres-template")
    try:
        # The migrate process has exited before any copy: a template must have no connection.
        migrate(data_dir, GOODWILL_DATABASE_URL=f"{server}/{name}")
        yield data_dir, server, name
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_data_dir(postgres_template: tuple[Path, str, str], tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A data folder plus a new, migrated PostgreSQL database (a copy of the template); dropped afterwards."""
    import uuid

    import psycopg

    template_dir, server, template = postgres_template
    name = f"gw_sub_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = f"{server}/{name}"
    try:
        yield copy_data_dir(template_dir, tmp_path), url
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database (1–15) that no other test run is using right now, claimed with a key.

    RQ workers take any job in their queue, so two test runs sharing one database would
    run each other's tasks against the wrong data folder.
    """
    import uuid

    import redis

    claim = f"goodwill-test-claim:{uuid.uuid4().hex}"
    for number in range(15, 0, -1):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number, socket_connect_timeout=2)
        try:
            # Only an empty database: something else may be using a non-empty one.
            claimed = client.dbsize() == 0 and client.set("goodwill-test-claim", claim, nx=True, ex=900)
        except redis.exceptions.ConnectionError:
            pytest.skip("no Redis on 127.0.0.1:6379")
        if not claimed:
            client.close()
            continue
        try:
            yield f"redis://127.0.0.1:6379/{number}"
        finally:
            # Remove what this test's processes wrote (RQ's keys, the cache), then the claim.
            for pattern in ("rq:*", "goodwill:*"):
                keys = list(client.scan_iter(match=pattern, count=500))
                if keys:
                    client.delete(*keys)
            if client.get("goodwill-test-claim") == claim.encode():
                client.delete("goodwill-test-claim")
            client.close()
        return
    pytest.skip("every Redis database is claimed by another test run")
