"""The rules every survey kind shares: the opt-out and "never surveyed twice within the cooldown".

One place, so the two-axis survey, NPS and CES cannot drift apart: a customer who got any of
them within the cooldown gets none of the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from goodwill.voice.models import Pulse, Survey, Unsubscribe


def opted_out(customer_id: int) -> bool:
    return Unsubscribe.objects.filter(customer_id=customer_id).exists()


def surveyed_recently(
    customer_id: int, *, days: int, now: datetime, survey_id: int | None = None, pulse_id: int | None = None
) -> bool:
    """Did the customer get any survey (two-axis, NPS or CES) in the last `days`? The row being sent is left out."""
    since = now - timedelta(days=days)
    surveys = Survey.objects.filter(customer_id=customer_id, sent_at__gte=since)
    pulses = Pulse.objects.filter(customer_id=customer_id, sent_at__gte=since)
    if survey_id is not None:
        surveys = surveys.exclude(pk=survey_id)
    if pulse_id is not None:
        pulses = pulses.exclude(pk=pulse_id)
    return surveys.exists() or pulses.exists()
