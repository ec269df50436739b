"""Insights dashboards at scale: every registered dashboard over several filter combinations,
and the rebuild of the summary tables.

    GOODWILL_DATA_DIR=/tmp/gw-insights-1m .venv/bin/python bench/insights.py
    GOODWILL_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gw_bench .venv/bin/python bench/insights.py

Uses an already seeded database (`goodwill seed-demo` ends by building the summaries); with
neither variable set it seeds 1,000 conversations in a temporary folder. Signed in as the demo
admin with Django's test client, each dashboard page (filters, figures, SVG charts, tables) is
fetched once to warm up, then `--repeat` times for each filter combination: the last 30 days,
the last 90 days, a whole year (weekly buckets), 30 days of the busiest team, of the busiest
agent, of the most frequent need, of the largest organisation, and of e-mail only. It prints
p50/p95 of wall and CPU time per request over all combinations, the worst combination, SQL
time and queries; then the size of the summaries against the conversations, and (unless
`--no-rebuild`) one full `rebuild-insights`. The goal is 500 ms p95 per dashboard at 1,000,000
conversations. `os.getloadavg()` is printed with the figures (and beside each dashboard's line):
the machine is shared.

`--quick` (for the 1M run, within about three minutes): four combinations (30 days, a year, the
busiest team, the largest organisation), two requests each, no rebuild.
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
GOAL_MS = 500
QUICK = ("30 days", "a year", "busiest team", "largest organisation")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def combinations() -> list[tuple[str, str]]:
    """Filter query strings, picked from the data's own distribution (the busiest keys)."""
    from django.db.models import Sum

    from goodwill.insights.models import DailyAgentFigures, DailyFigures, DailyOrganisationFigures

    tables = {"agent_id": DailyAgentFigures, "organisation_id": DailyOrganisationFigures}

    def busiest(field: str) -> int | str | None:
        row = (
            tables.get(field, DailyFigures).objects.exclude(**{field: 0 if field != "channel" else ""})
            .values(field).annotate(n=Sum("opened")).order_by("-n").first()
        )  # fmt: skip
        return row[field] if row else None

    combos = [("30 days", "range=30"), ("90 days", "range=90"), ("a year", "from={year_ago}&to={today}")]
    for label, field, param in (
        ("busiest team", "team_id", "team"), ("busiest agent", "agent_id", "agent"),
        ("top need", "need_id", "need"), ("largest organisation", "organisation_id", "organisation"),
    ):  # fmt: skip
        value = busiest(field)
        if value:
            combos.append((label, f"range=30&{param}={value}"))
    combos.append(("email only", "range=30&channel=email"))
    return combos


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="requests per dashboard and filter combination")
    parser.add_argument("--no-rebuild", action="store_true", help="pages only; do not time the rebuild")
    parser.add_argument(
        "--quick", action="store_true", help="4 combinations × 2 requests, no rebuild (about 3 min at 1M)"
    )
    parser.add_argument("--only", default="", help="comma-separated dashboard slugs")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.no_rebuild = min(args.repeat, 2), True
    if not os.environ.get("GOODWILL_DATA_DIR") and not os.environ.get("GOODWILL_DATABASE_URL"):
        os.environ["GOODWILL_DATA_DIR"] = tempfile.mkdtemp(prefix="gw-insights-bench-")
        goodwill = [sys.executable, "-m", "goodwill"]
        subprocess.run([*goodwill, "migrate", "-v", "0"], check=True)
        subprocess.run(
            [*goodwill, "seed-demo", "--conversations", "1000"], check=True, stdout=subprocess.DEVNULL
        )

    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from goodwill.accounts.models import Agent
    from goodwill.conversations.models import Conversation
    from goodwill.insights import rollup
    from goodwill.insights.models import DailyAgentFigures, DailyFigures, DailyOrganisationFigures
    from goodwill.insights.registry import dashboards

    conversations = Conversation.objects.count()
    daily_rows = DailyFigures.objects.count()
    if not daily_rows and conversations:
        print("no summaries yet: rebuilding first")
        rollup.rebuild()
        daily_rows = DailyFigures.objects.count()
    today = timezone.localdate()
    fill = {"today": today.isoformat(), "year_ago": (today - timedelta(days=364)).isoformat()}
    combos = [(label, query.format(**fill)) for label, query in combinations()]
    if args.quick:
        combos = [c for c in combos if c[0] in QUICK]
    # Pages render {% static %} without a collectstatic manifest, as in the tests.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    client = Client()
    client.force_login(Agent.objects.get(email="admin@example.com"))
    print(f"{connection.vendor}, {conversations:,} conversations, {daily_rows:,} daily summary rows "
          f"({daily_rows / max(conversations, 1):.3f} per conversation), {DailyAgentFigures.objects.count():,} by agent, "
          f"{DailyOrganisationFigures.objects.count():,} by organisation; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"{len(combos)} filter combinations × {args.repeat}: {', '.join(label for label, _ in combos)}")
    print(
        f"{'dashboard':<22} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>8} {'CPU p95':>8} {'SQL ms':>7} {'queries':>7}"
        f" {'load':>5}  worst"
    )
    only = set(filter(None, args.only.split(",")))
    for board in dashboards():
        if only and board.slug not in only:
            continue
        walls, cpus, sql, queries, worst = [], [], [], [], ("", 0.0)
        for label, query in combos:
            url = f"/insights/{board.slug}/?{query}"
            assert client.get(url).status_code == 200, url  # warm-up
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    w0, c0 = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    wall, cpu = (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000
                assert response.status_code == 200, url
                walls.append(wall)
                cpus.append(cpu)
                sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
                queries.append(len(captured.captured_queries))
                worst = max(worst, (label, wall), key=lambda item: item[1])
        flag = "  OVER GOAL" if p95(walls) > GOAL_MS else ""
        print(
            f"{board.slug:<22} {statistics.median(walls):>7.0f}ms {p95(walls):>7.0f}ms {statistics.median(cpus):>6.0f}ms "
            f"{p95(cpus):>6.0f}ms {statistics.median(sql):>7.0f} {max(queries):>7} {os.getloadavg()[0]:>5.1f}"
            f"  {worst[0]} ({worst[1]:.0f} ms){flag}"
        )
    if not args.no_rebuild:
        w0, c0 = time.perf_counter(), time.process_time()
        rows = rollup.rebuild()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        print(f"rebuild: {rows:,} daily rows from {conversations:,} conversations in {wall:.1f} s "
              f"({cpu:.1f} s CPU, {conversations / max(wall, 0.001):,.0f} conversations/s); load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
