"""Silent-churn watch at scale: one full rebuild, then the /churn/ page.

    GOODWILL_DATA_DIR=/tmp/gw-100k .venv/bin/python bench/churn.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/churn.py

Uses an already seeded database (`goodwill seed-demo --conversations 100000`); with neither
variable set it seeds 1,000 conversations in a temporary folder. It times `--rebuilds` full
rebuilds (read every customer's rhythm, check the signals of the overdue ones, replace the
list: what the daily job and the "Recompute now" button do), printing seconds, customers seen,
customers listed and peak memory growth. Then, signed in as the demo agent with Django's test
client, it fetches the first page, a deep page (keyset on rank), a team-filtered page and a
listed customer's page (which shows the churn panel), each twice to warm up and `--repeat`
times: p50/p95 wall and CPU time (the machine's load shows in wall, not in CPU), SQL time and
query count.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
os.environ.setdefault("GOODWILL_ALLOWED_HOSTS", "testserver,127.0.0.1")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def seed_if_needed() -> None:
    if os.environ.get("GOODWILL_DATA_DIR") or os.environ.get("GOODWILL_DATABASE_URL"):
        return
    os.environ["GOODWILL_DATA_DIR"] = tempfile.mkdtemp(prefix="gw-churn-bench-")
    goodwill = [sys.executable, "-m", "goodwill"]
    subprocess.run([*goodwill, "migrate", "-v", "0"], check=True)
    subprocess.run([*goodwill, "seed-demo", "--conversations", "1000"], check=True, stdout=subprocess.DEVNULL)


def time_rebuilds(count: int) -> None:
    from django.utils import timezone

    from goodwill.churn.watch import rebuild_watch

    for number in range(1, count + 1):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu = time.process_time()
        started = time.perf_counter()
        run = rebuild_watch(timezone.now(), trigger="bench")
        wall = time.perf_counter() - started
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"rebuild {number}: {wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU, "
            f"{run.customers_seen:,} customers seen, {run.listed:,} listed, peak memory +{grown:.0f} MB"
        )


def time_pages(repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from goodwill.accounts.models import Agent
    from goodwill.churn.models import ChurnEntry

    agent = Agent.objects.get(email="agent@example.com")
    client = Client()
    client.force_login(agent)
    listed = ChurnEntry.objects.count()
    deep = max(0, (listed // 2 // 50) * 50)
    busiest_team = (
        ChurnEntry.objects.exclude(team=None).values_list("team_id", flat=True).order_by("team_id").first()
    )
    first = ChurnEntry.objects.order_by("rank").values_list("customer_id", flat=True).first()
    pages = [("first page", "/churn/"), (f"page after rank {deep}", f"/churn/?after={deep}")]
    if busiest_team:
        pages.append(("team filter", f"/churn/?team={busiest_team}"))
    if first:
        pages.append(("customer page with churn panel", f"/customers/{first}/"))
    print(
        f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'CPU50 ms':>9} {'CPU95 ms':>9} {'SQL ms':>8} {'queries':>8}"
    )
    for label, url in pages:
        for _ in range(2):
            assert client.get(url).status_code == 200, url
        walls, cpus, sql, queries = [], [], [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started, cpu = time.perf_counter(), time.process_time()
                client.get(url)
                walls.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
            queries = len(captured.captured_queries)
        print(
            f"{label:34} {statistics.median(walls):8.1f} {p95(walls):8.1f} "
            f"{statistics.median(cpus):9.1f} {p95(cpus):9.1f} "
            f"{statistics.median(sql):8.1f} {queries:8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuilds", type=int, default=2)
    args = parser.parse_args()
    seed_if_needed()

    import django

    django.setup()
    from django.db import connection

    from goodwill.conversations.models import Conversation
    from goodwill.customers.models import Customer

    print(
        f"{connection.vendor}, {Conversation.objects.count():,} conversations, "
        f"{Customer.objects.count():,} customers; load average {os.getloadavg()[0]:.2f}"
    )
    from django.conf import settings
    from django.test.utils import override_settings

    time_rebuilds(args.rebuilds)
    # Pages render {% static %} without a collectstatic manifest, as in the other page benches.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        time_pages(args.repeat)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
