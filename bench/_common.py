"""What the bench scripts share: Django set-up, the database to measure, and timing a page.

Scripts in this folder import it as `_common` (Python puts a script's own folder first on the
path). Two shapes of script use it:

- in-process (`recovery_pages.py`, `sla_pages.py`, `voice_grid.py`): `seed_unless_given` seeds
  a temporary database when neither GOODWILL_DATA_DIR nor GOODWILL_DATABASE_URL is set, then
  `setup_django` and `print_pages`;
- parent and child (`pages.py`, `customer_page.py`, `api.py`): the parent prepares a data folder
  or PostgreSQL database (`environment`, `prepare`) and measures in a fresh child process
  (`run_child`), which reads `measure_page` figures.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Plain storages: a page renders without collected static files.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def database_pids() -> list[int]:
    """PostgreSQL backends serving this database on this machine (not this thread's), none for SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND backend_type = 'client backend'"
        )
        return [row[0] for row in cursor.fetchall()]


def setup_django() -> None:
    """Django set up against the environment's database, for the test client."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
    os.environ.setdefault("GOODWILL_ALLOWED_HOSTS", "testserver,127.0.0.1")
    import django

    django.setup()


def goodwill(args: list[str], env: dict[str, str]) -> None:
    """Run the `goodwill` command line; its output only when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "goodwill", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"goodwill {' '.join(args)} failed")


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """This process's environment pointed at `data_dir` (and a PostgreSQL database, if given)."""
    env = {**os.environ, "GOODWILL_DATA_DIR": str(data_dir), "GOODWILL_ALLOWED_HOSTS": "testserver,127.0.0.1"}
    env.pop("GOODWILL_DATABASE_URL", None)
    if database_url:
        env["GOODWILL_DATABASE_URL"] = database_url
    return env


def prepare(env: dict[str, str], conversations: int) -> None:
    """Migrate, and seed the demo data when the database has none (`seed-demo` is a no-op then)."""
    goodwill(["migrate", "--noinput", "-v", "0"], env)
    goodwill(["seed-demo", "--conversations", str(conversations)], env)


def seed_unless_given(prefix: str, conversations: int = 1000) -> None:
    """With neither GOODWILL_DATA_DIR nor GOODWILL_DATABASE_URL set, seed a temporary data folder."""
    if os.environ.get("GOODWILL_DATA_DIR") or os.environ.get("GOODWILL_DATABASE_URL"):
        return
    os.environ["GOODWILL_DATA_DIR"] = tempfile.mkdtemp(prefix=prefix)
    prepare(dict(os.environ), conversations)


def run_child(script: str, env: dict[str, str], *args: str) -> Any:
    """Run `script --child ARGS…` and return the JSON document on the last line of its output."""
    done = subprocess.run(
        [sys.executable, script, "--child", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("measuring failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def server_cpu_ns(connection: Any) -> int | None:
    """CPU time so far of the PostgreSQL process serving `connection`, if it runs on this machine.

    Read from /proc/<pid>/schedstat (nanoseconds on a CPU), so time spent waiting for a
    CPU on a busy machine, and the round trips, are not counted. None elsewhere.
    """
    if connection.vendor != "postgresql" or connection.connection is None:
        return None
    host = connection.settings_dict.get("HOST") or ""
    if host not in ("", "localhost", "127.0.0.1", "::1") and not host.startswith("/"):
        return None
    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/schedstat") as stat:
            return int(stat.read().split()[0])
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def measure_page(
    client: Any, url: str, repeat: int, *, headers: dict[str, str] | None = None, with_server: bool = True
) -> dict[str, Any]:
    """Fetch `url` twice to warm up, then `repeat` times: status, and per request wall and CPU
    time, SQL time, queries (ms). With `with_server`, on a database other than SQLite, the server
    process's own CPU time is added to the CPU time (`servers`; SQL time when it cannot be read).
    `slowest` is the slowest query seen (ms, SQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = headers or {}
    status = None
    for _ in range(2):
        status = client.get(url, **headers).status_code
    walls: list[float] = []
    cpus: list[float] = []
    servers: list[float] = []
    sqls: list[float] = []
    counts: list[int] = []
    slowest = (0.0, "")
    add_server = with_server and connection.vendor != "sqlite"
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            server_started = server_cpu_ns(connection) if add_server else None
            started, cpu_started = time.perf_counter(), time.process_time()
            client.get(url, **headers)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu_started) * 1000)
            server_done = server_cpu_ns(connection) if add_server else None
        times = [float(query["time"]) * 1000 for query in captured.captured_queries]
        sqls.append(sum(times))
        counts.append(len(times))
        if add_server:
            # The database server's share is not in this process: its own CPU time if it can
            # be read, else the SQL time (which also counts waiting for a CPU).
            if server_started is not None and server_done is not None:
                servers.append((server_done - server_started) / 1e6)
            else:
                servers.append(sqls[-1])
            cpus[-1] += servers[-1]
        if times and max(times) > slowest[0]:
            slowest = (max(times), captured.captured_queries[times.index(max(times))]["sql"])
    return {
        "status": status,
        "walls": walls,
        "cpus": cpus,
        "servers": servers,
        "sqls": sqls,
        "counts": counts,
        "slowest": slowest,
    }


def print_pages(client: Any, pages: list[tuple[str, str]], repeat: int, *, width: int = 42) -> None:
    """A table of (label, url) pages: p50/p95 wall and CPU time of this process, SQL p95, queries."""
    from django.test.utils import override_settings

    print(
        f"{'page':{width}} {'wall50':>7} {'wall95':>7} {'cpu50':>6} {'cpu95':>6} {'sql95':>6} {'queries':>7}"
    )
    with override_settings(STORAGES=STORAGES):
        for label, url in pages:
            page = measure_page(client, url, repeat, with_server=False)
            walls, cpus = page["walls"], page["cpus"]
            flag = "" if page["status"] == 200 else f"  HTTP {page['status']}"
            print(
                f"{label:{width}} {statistics.median(walls):7.1f} {percentile(walls, 95):7.1f} "
                f"{statistics.median(cpus):6.1f} {percentile(cpus, 95):6.1f} "
                f"{percentile(page['sqls'], 95):6.1f} {max(page['counts']):7d}{flag}"
            )
