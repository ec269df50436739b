"""`goodwill seed-demo`: load the realistic, deterministic demo data set."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from goodwill.demo.generator import DEMO_ADMIN, DEMO_AGENT, demo_data_present, seed_demo


def _anchor(text: str | None) -> datetime:
    if not text:
        return datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--now must be an ISO 8601 date or date-time, not {text!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Load the demo data set: 2 teams, 8 agents, customers in organisations and N conversations over "
        "the last 120 days. The same --seed, --conversations and --now give identical data. Safe to re-run: "
        f"if demo data is already there ({DEMO_ADMIN} exists) it changes nothing and says so. "
        "To reload, start from an empty database (a new GOODWILL_DATA_DIR, or `goodwill flush`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conversations", type=int, default=2000, help="How many (default 2,000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--now",
            help="Anchor time of the data, ISO 8601 (default: today at 00:00 UTC). Data ends just before it; "
            "pass it explicitly to reproduce a data set on another day.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Conversations per insert transaction (default 5,000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = options["conversations"]
        if total < 1:
            raise CommandError("--conversations must be at least 1")
        if demo_data_present():
            self.stdout.write(f"Demo data is already loaded ({DEMO_ADMIN} exists); nothing changed.")
            return
        anchor = _anchor(options["now"])
        self.stdout.write(
            f"Seeding {total:,} conversations (seed {options['seed']}, anchored at {anchor.isoformat()})…"
        )
        report = seed_demo(
            conversations=total,
            seed=options["seed"],
            anchor=anchor,
            batch_size=max(100, options["batch_size"]),
            progress=self.stdout.write,
        )
        rate = report.conversations / report.seconds if report.seconds else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {report.conversations:,} conversations, {report.messages:,} messages, "
                f"{report.events:,} events, {report.customers:,} customers in {report.organisations:,} "
                f"organisations in {report.seconds:.1f} s ({rate:,.0f} conversations/s)."
            )
        )
        self.stdout.write(f"A 50-message conversation to look at: #{report.long_conversation}.")
        self.stdout.write(
            f"Sign in as {DEMO_ADMIN} / goodwill-admin (admin) or {DEMO_AGENT} / goodwill-agent (agent)."
        )
