from __future__ import annotations

from typing import Any

from django import forms

from goodwill.churn.models import ChurnSettings
from goodwill.conversations.forms import FirstMessageForm


class OutreachForm(FirstMessageForm):
    """The reach-out message: the first message of an outbound conversation, a little shorter box."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["rows"] = 9


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ChurnSettings
        fields = [
            "enabled",
            "factor",
            "default_interval_days",
            "min_interval_days",
            "min_history",
            "conduct_at_most",
            "mood_at_most",
            "use_feedback",
            "use_promises",
            "use_mood",
            "use_need",
            "use_sla",
            "use_complaints",
        ]
