from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from goodwill.data.models import RetentionPolicy
from goodwill.data.retention import apply, dry_run


class Command(BaseCommand):
    help = (
        "Retention: goodwill retention --dry-run prints what every policy would close and delete; "
        "without it, applies the active policies now (as the worker does nightly)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        policies = RetentionPolicy.objects.select_related("team").order_by("id")
        if options["dry_run"]:
            reports = [{**asdict(dry_run(policy, now)), "active": policy.is_active} for policy in policies]
        else:
            reports = [asdict(apply(policy, now)) for policy in policies.filter(is_active=True)]
        self.stdout.write(json.dumps({"dry_run": options["dry_run"], "policies": reports}))
