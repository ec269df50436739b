"""SLA pages at scale: "Breaching soon", the "time left" sort, the expectations page, the sweep.

    GOODWILL_DATA_DIR=/tmp/gw-1m .venv/bin/python bench/sla_pages.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/sla_pages.py

Uses an already seeded database (`goodwill seed-demo`, which puts SLA clocks on every open
conversation); with neither variable set it seeds 1,000 conversations in a temporary folder. Signed in as the demo agent with Django's test client, each page is fetched
twice to warm up, then `--repeat` times; it prints p50/p95 of wall and CPU time per request,
SQL time and queries, and the plan of the "Breaching soon" query (it must use
conv_open_sla_due). Then it times one `sla.sweep` (on a copy of nothing: it really runs, so
run it on a bench database) and one full `expectations.figures` build.
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--no-jobs", action="store_true", help="pages only; do not run the sweep and figures jobs"
    )
    args = parser.parse_args()
    if not os.environ.get("GOODWILL_DATA_DIR") and not os.environ.get("GOODWILL_DATABASE_URL"):
        os.environ["GOODWILL_DATA_DIR"] = tempfile.mkdtemp(prefix="gw-sla-bench-")
        goodwill = [sys.executable, "-m", "goodwill"]
        subprocess.run([*goodwill, "migrate", "-v", "0"], check=True)
        subprocess.run(
            [*goodwill, "seed-demo", "--conversations", "1000"], check=True, stdout=subprocess.DEVNULL
        )

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.conversations.selectors import BUILT_IN_VIEWS, conversations_visible_to, inbox_page

    agent = Agent.objects.get(email="agent@example.com")
    client = Client()
    client.force_login(agent)
    total = Conversation.objects.count()
    with_clock = Conversation.objects.filter(sla_due_at__isnull=False).count()
    print(f"{connection.vendor}, {total:,} conversations, {with_clock:,} with a running SLA clock")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    view = BUILT_IN_VIEWS["breaching"]
    cursor = inbox_page(agent, where=view.where(agent), sort=view.sort).next_cursor or ""
    pages = [
        ("inbox ?view=breaching", "/?view=breaching"),
        ("inbox ?view=open&sort=time_left", "/?view=open&sort=time_left"),
        ("inbox ?view=mine&sort=time_left", "/?view=mine&sort=time_left"),
        ("inbox ?view=team&sort=time_left", "/?view=team&sort=time_left"),
        ("inbox ?view=unassigned&sort=time_left", "/?view=unassigned&sort=time_left"),
        ("expectations page", "/expectations/"),
    ]
    if cursor:
        pages.insert(1, ("  breaching, second page", f"/?view=breaching&after={cursor}"))
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    print(f"{'page':42} {'wall50':>7} {'wall95':>7} {'cpu50':>6} {'cpu95':>6} {'sql95':>6} {'queries':>7}")
    with override_settings(STORAGES=storages):
        for label, url in pages:
            for _ in range(2):
                client.get(url)
            walls, cpus, sqls, counts = [], [], [], []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    started, cpu = time.perf_counter(), time.process_time()
                    status = client.get(url).status_code
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
                sqls.append(sum(float(q["time"]) * 1000 for q in captured.captured_queries))
                counts.append(len(captured.captured_queries))
            flag = "" if status == 200 else f"  HTTP {status}"
            print(
                f"{label:42} {statistics.median(walls):7.1f} {p95(walls):7.1f} {statistics.median(cpus):6.1f} "
                f"{p95(cpus):6.1f} {p95(sqls):6.1f} {max(counts):7d}{flag}"
            )
    query = conversations_visible_to(agent).filter(view.where(agent)).order_by("sla_due_at", "id")[:51]
    print("plan of the Breaching soon page:")
    print("  " + query.explain().replace("\n", "\n  "))
    if args.no_jobs:
        return
    from goodwill.expectations.figures import refresh_figures
    from goodwill.expectations.jobs import sweep

    started = time.perf_counter()
    result = sweep(timezone.now())
    print(f"sla.sweep: {time.perf_counter() - started:.2f} s ({result or 'nothing due'})")
    started = time.perf_counter()
    result = refresh_figures(timezone.now())
    print(f"expectations.figures: {time.perf_counter() - started:.1f} s ({result})")


if __name__ == "__main__":
    main()
