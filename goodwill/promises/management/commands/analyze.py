"""`goodwill analyze [--kind inbound|reply] [--now ISO] [--tz ZONE]`: one message on stdin, one JSON
object out — the same analysis the app runs (listening's engine, and for replies the promise
ledger's detector and the tone checks). See CONTRACTS.md."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from goodwill.listening.engine import analyze_message, check_tone
from goodwill.promises.detect import find_promises


def _zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CommandError(f"--tz wants an IANA time zone such as Europe/London, not {value!r}.") from error


def _now(value: str | None, zone: ZoneInfo) -> datetime:
    if not value:
        return timezone.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now wants an ISO 8601 date-time (2026-12-07T10:00), not {value!r}.") from error
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def analyze(text: str, *, kind: str, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    reading = analyze_message(text)
    result: dict[str, Any] = {
        "sentiment": reading.sentiment,  # null when the language is not scored
        "emotions": dict(reading.emotions),
        "abusive": reading.abusive,
        "promises": [],
        "tone": [],
    }
    if kind == "reply":
        result["promises"] = [p.as_json() for p in find_promises(text, now=now, tz=zone)]
        findings = check_tone(text, customer_name=None, preferred_name=None, customer_mood=None)
        result["tone"] = [
            {
                "code": f.code,
                "message": f.message,
                "suggestion": f.suggestion.text if f.suggestion is not None else None,
            }
            for f in findings
        ]
    return result


class Command(BaseCommand):
    help = (
        "Read one message on stdin and print its analysis as one JSON object: sentiment, emotions, "
        "abusive, promises (replies: each with its due date-time) and tone findings (replies)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=["inbound", "reply"], default="inbound")
        parser.add_argument("--now", help="ISO 8601 date-time due dates are resolved against (default: now)")
        parser.add_argument("--tz", default="UTC", help="the writer's time zone (default: UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        zone = _zone(options["tz"])
        now = _now(options["now"], zone)
        text = sys.stdin.read()
        result = analyze(text, kind=options["kind"], now=now, zone=zone)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
