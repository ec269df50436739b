"""Listening's inbox pages on a seeded database: the "Upset customers" view and the
"Most upset first" (mood) sort, p50/p95 CPU and wall per request and the query count,
signed in as the demo agent with Django's test client. For comparison it also times the
view's filter as it was before the denormalised `upset_order` column (sentiment ≤ −0.3 OR
abusive, two columns of the joined mood row) at the selector level, against the column.

    GOODWILL_DATA_DIR=/tmp/gw-100k .venv/bin/python bench/listening_pages.py [--repeat 20]

Seed first with `goodwill seed-demo --conversations 100000` (or reuse `bench/seed.py --keep`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodwill.settings")
os.environ.setdefault("GOODWILL_ALLOWED_HOSTS", "testserver,127.0.0.1")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from goodwill.accounts.models import Agent  # noqa: E402
from goodwill.conversations.models import Conversation  # noqa: E402
from goodwill.conversations.selectors import CLOSED_STATUS_VALUES, inbox_page  # noqa: E402
from goodwill.listening.models import UPSET_BELOW  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, repeat: int) -> tuple[list[float], list[float], int]:  # type: ignore[no-untyped-def]
    fn()  # warm
    walls, cpus = [], []
    queries = 0
    for _ in range(repeat):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - start_cpu) * 1000)
        queries = len(captured)
    return walls, cpus, queries


STORAGES = {  # as bench/pages.py: no collected-static manifest needed
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=STORAGES)
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    agent = Agent.objects.get(email="agent@example.com")
    client = Client()
    client.force_login(agent)
    print(f"{Conversation.objects.count():,} conversations; load average {os.getloadavg()[0]:.1f}")
    print("| page | CPU p50 | CPU p95 | wall p95 | queries |\n|---|---:|---:|---:|---:|")
    for label, url in (
        ("inbox ?view=upset (newest first)", "/?view=upset"),
        ("inbox ?view=upset&sort=mood", "/?view=upset&sort=mood"),
        ("inbox ?view=open&sort=mood", "/?view=open&sort=mood"),
        ("inbox ?view=mine&sort=mood", "/?view=mine&sort=mood"),
    ):

        def get(url: str = url) -> None:
            assert client.get(url).status_code == 200

        walls, cpus, queries = timed(get, args.repeat)
        print(f"| {label} | {pct(cpus, 50):.1f} | {pct(cpus, 95):.1f} | {pct(walls, 95):.1f} | {queries} |")
    opened = ~Q(status__literal_in=CLOSED_STATUS_VALUES)
    before = opened & (Q(listening_mood__sentiment__lte=UPSET_BELOW) | Q(listening_mood__abusive=True))
    after = opened & Q(listening_mood__upset_order__lte=UPSET_BELOW)
    for label, where, sort in (
        ("selector: upset, two-column filter (before), newest first", before, "recent"),
        ("selector: upset, upset_order filter (now), newest first", after, "recent"),
        ("selector: upset, upset_order filter, most upset first", after, "mood"),
    ):
        walls, cpus, queries = timed(lambda w=where, s=sort: inbox_page(agent, where=w, sort=s), args.repeat)
        print(f"| {label} | {pct(cpus, 50):.1f} | {pct(cpus, 95):.1f} | {pct(walls, 95):.1f} | {queries} |")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
