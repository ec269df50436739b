"""Service recovery at scale: the queue (mine / team / all, with the lead summary), a case page,
the "Recovery" inbox view, a customer page with cases, and one `recovery.results` run.

    GOODWILL_DATA_DIR=/tmp/gw-1m .venv/bin/python bench/recovery_pages.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/recovery_pages.py

Uses an already seeded database (`goodwill seed-demo` puts a recovery case on about one assigned
conversation in forty); with neither variable set it seeds 1,000 conversations in a temporary
folder. Signed in as the demo admin (who sees the lead summary of every team), each page is
fetched twice to warm up, then `--repeat` times; prints p50/p95 wall and CPU time, SQL time and
queries. The results job really runs: use a bench database.
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
    parser.add_argument("--no-jobs", action="store_true", help="pages only; do not run recovery.results")
    args = parser.parse_args()
    if not os.environ.get("GOODWILL_DATA_DIR") and not os.environ.get("GOODWILL_DATABASE_URL"):
        os.environ["GOODWILL_DATA_DIR"] = tempfile.mkdtemp(prefix="gw-recovery-bench-")
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
    from goodwill.recovery.models import RecoveryCase

    admin = Agent.objects.filter(role="admin", is_active=True).order_by("pk").first()
    assert admin is not None, "seed the demo first"
    client = Client()
    client.force_login(admin)
    total = Conversation.objects.count()
    cases = RecoveryCase.objects.count()
    open_cases = RecoveryCase.objects.filter(status="open").count()
    print(f"{connection.vendor}, {total:,} conversations, {cases:,} recovery cases ({open_cases:,} open)")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    case = RecoveryCase.objects.order_by("-pk").first()
    pages = [
        ("recovery queue, mine", "/recovery/?scope=mine"),
        ("recovery queue, my teams", "/recovery/?scope=team"),
        ("recovery queue, all open + summary", "/recovery/?scope=all"),
        ("inbox ?view=recovery", "/?view=recovery"),
    ]
    if case is not None:
        pages.append(("case page", f"/recovery/{case.pk}/"))
        pages.append(("customer page with cases", f"/customers/{case.customer_id}/"))
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
            status = 0
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
    if args.no_jobs:
        return
    from goodwill.recovery.jobs import measure_results

    started = time.perf_counter()
    result = measure_results(timezone.now())
    print(f"recovery.results: {time.perf_counter() - started:.2f} s ({result or 'nothing to settle'})")


if __name__ == "__main__":
    main()
