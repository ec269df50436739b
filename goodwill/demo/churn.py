"""Demo churn watch: values on organisations (most of them; some unknown, as in real life) and one
rebuild of the watch at the data's "now", so /churn/ and bench/churn.py see a realistic list.

The bad last experiences come from what the other demo modules already wrote (broken and late
promises, needs not met, moods, breached service levels). Set-based: one UPDATE, then the rebuild.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import F, Value
from django.db.models.functions import Mod

from goodwill.churn.watch import rebuild_watch
from goodwill.customers.models import Organisation

UNKNOWN_EVERY = 5  # one organisation in five has no value set


def seed_churn(*, anchor: int) -> dict[str, int]:
    """Give organisations without a value a deterministic one, then rebuild the watch."""
    (
        Organisation.objects.filter(value__isnull=True)
        .annotate(pick=Mod("id", UNKNOWN_EVERY))
        .exclude(pick=0)
        .update(value=Mod(F("id") * Value(7919), Value(200)) * Value(250) + Value(500))
    )
    run = rebuild_watch(datetime.fromtimestamp(anchor, tz=UTC), trigger="demo")
    return {"churn_listed": run.listed}
