"""Demo rows for the data app: a retention policy per team, switched off (a dry run shows what it would do)."""

from __future__ import annotations

from goodwill.accounts.models import Team
from goodwill.data.models import RetentionPolicy


def seed_retention() -> None:
    """Idempotent: one inactive policy per team (close after 12 months, delete after 36) and one without a team."""
    for team in [None, *Team.objects.all()]:
        RetentionPolicy.objects.get_or_create(
            team=team, defaults={"close_after_months": 12, "delete_after_months": 36, "is_active": False}
        )
