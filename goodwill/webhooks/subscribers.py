"""Webhooks' reaction to the event seam (listed in goodwill/subscribers.py, for every topic)."""

from __future__ import annotations

from goodwill.core.models import Event
from goodwill.webhooks.services import queue_for_event


def send_event(event: Event) -> None:
    """Queue a delivery to every active webhook that listens to one of the event's topics."""
    queue_for_event(event)
