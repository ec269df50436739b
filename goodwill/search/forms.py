from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from goodwill.conversations.models import Conversation

KIND_CHOICES = [
    ("", "Everything"),
    ("conversations", "Conversations"),
    ("messages", "Messages"),
    ("customers", "Customers"),
]
ORDER_CHOICES = [("relevance", "Best match"), ("date", "Newest first")]
STATUS_CHOICES = [("", "Any status"), ("open_any", "Any open status"), *Conversation.Status.choices]
CHANNEL_CHOICES = [("", "Any channel"), *Conversation.Channel.choices]


# Far enough apart for any real search, and far enough from the calendar's ends (years 1
# and 9999) that moving a whole day into UTC or one day on can never overflow.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(9000, 12, 31)


class BoundedDateField(forms.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE; anything else is a form error."""

    def clean(self, value: object) -> date | None:
        day = super().clean(value)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(
                f"Choose a date between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}.",
                code="out_of_range",
            )
        return day


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=500)
    kind = forms.ChoiceField(label="Show", choices=KIND_CHOICES, required=False)
    order = forms.ChoiceField(label="Order", choices=ORDER_CHOICES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    channel = forms.ChoiceField(label="Channel", choices=CHANNEL_CHOICES, required=False)
    since = BoundedDateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = BoundedDateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if isinstance(since, date) and isinstance(until, date) and until < since:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def search_kwargs(self) -> dict[str, object]:
        """Arguments for `search_for`; dates are whole days in the agent's time zone."""
        data = self.cleaned_data
        status = data.get("status") or ""
        statuses: tuple[str, ...] = ()
        if status == "open_any":
            statuses = tuple(str(value) for value in Conversation.OPEN_STATUSES)
        elif status:
            statuses = (status,)
        return {
            "kind": data.get("kind") or None,
            "order": data.get("order") or "relevance",
            "statuses": statuses,
            "channel": data.get("channel") or "",
            "since": _start_of(data.get("since")),
            "until": _start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
            "cursor": data.get("cursor") or None,
        }


def _start_of(day: date | None) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())
