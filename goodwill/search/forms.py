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


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, max_length=500)
    kind = forms.ChoiceField(label="Show", choices=KIND_CHOICES, required=False)
    order = forms.ChoiceField(label="Order", choices=ORDER_CHOICES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    channel = forms.ChoiceField(label="Channel", choices=CHANNEL_CHOICES, required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

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
