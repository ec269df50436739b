from __future__ import annotations

from typing import Any

from django import forms

from goodwill.accounts.models import Agent
from goodwill.conversations.models import Conversation


class ScheduleForm(forms.Form):
    due_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In your time zone.",
    )
    owner = forms.ModelChoiceField(label="Who calls", queryset=Agent.objects.none())
    phone = forms.CharField(label="Number", max_length=40)
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    confirm_to_customer = forms.BooleanField(label="Email the customer a confirmation", required=False)

    def __init__(self, *args: Any, conversation: Conversation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Agent.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).exclude(role=Agent.Role.LIGHT)


class LogCallForm(forms.Form):
    text = forms.CharField(label="What was said", widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why (optional)", max_length=300, required=False)
