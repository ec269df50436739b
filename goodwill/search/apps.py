from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _restore_search_triggers(using: str = "default", **kwargs: Any) -> None:
    # Schema upkeep, not domain flow: a table-remaking migration in another app drops
    # the SQLite triggers along with the old table, so put them back after migrate.
    from goodwill.search.schema import ensure_sqlite_triggers

    ensure_sqlite_triggers(connections[using])


class SearchConfig(AppConfig):
    name = "goodwill.search"
    label = "search"

    def ready(self) -> None:
        post_migrate.connect(_restore_search_triggers, sender=self, dispatch_uid="search-triggers")
