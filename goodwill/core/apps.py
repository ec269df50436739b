from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "goodwill.core"
    label = "core"

    def ready(self) -> None:
        from goodwill.core.sqlite_stats import restore_after_migrate

        # Schema upkeep: a table-rebuilding migration drops SQLite's planner statistics.
        post_migrate.connect(restore_after_migrate, sender=self, dispatch_uid="sqlite-statistics")
