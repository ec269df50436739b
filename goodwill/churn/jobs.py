"""The worker's daily rebuild (goodwill/schedules.py: "churn.rebuild")."""

from __future__ import annotations

from datetime import datetime

from goodwill.churn.watch import rebuild_watch


def rebuild(now: datetime) -> str:
    run = rebuild_watch(now, trigger="job")
    return f"{run.listed} customers listed of {run.customers_seen} in {run.seconds:.1f} s"
